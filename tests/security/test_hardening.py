"""Attacks from outside that once worked: markup in feeds, a stranger's words in our emails,
a refused review that threw away what the reader wrote, a log flooded through the Host header.
"""

import logging
import re
import uuid

import feedparser
import pytest
from django.test import Client
from django.urls import reverse

from reviews.models import ModerationSettings, Review
from tests.helpers import review_data

HOSTILE_TEASER = "\"'><img src=x onerror=alert(1)>"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_a_teaser_reaches_a_feed_reader_as_text_never_as_markup(client, make_article, url):
    make_article(teaser=HOSTILE_TEASER)
    feed = feedparser.parse(client.get(url).content, sanitize_html=False)
    summary = feed.entries[0].summary
    # The reader shows the characters the editor typed; no element is made of them.
    assert "<img" not in summary
    assert "&lt;img src=x onerror=alert(1)&gt;" in summary


@pytest.mark.django_db
def test_the_confirmation_email_carries_no_word_the_sender_chose(
    post_review, published_article, mailoutbox, after_commit
):
    phishing = "your account is locked, verify at https://evil.example/login"
    with after_commit():
        response = post_review(
            published_article,
            name=phishing,
            email="victim@example.org",
            body="Visit https://evil.example/login now, your account is locked.",
            notify="on",
        )
    assert response.status_code == 302
    (mail,) = [mail for mail in mailoutbox if mail.to == ["victim@example.org"]]
    for text in (mail.subject, mail.body, *mail.extra_headers.values()):
        assert "evil.example" not in text
        assert "locked" not in text
        assert published_article.title not in text


class TestNothingTypedIsLost:
    @pytest.fixture
    def strict(self):
        return Client(enforce_csrf_checks=True)

    @pytest.mark.django_db
    def test_a_mangled_security_cookie_gives_the_form_back_with_the_text(
        self, strict, published_article
    ):
        url = reverse("reviews:form", args=[published_article.slug])
        strict.cookies["csrftoken"] = "abc"
        data = review_data(published_article, body="A long review I do not want to type again.")
        data["csrfmiddlewaretoken"] = "abc"
        response = strict.post(url, data)

        assert response.status_code == 403
        page = response.content.decode()
        assert "A long review I do not want to type again." in page
        assert "security cookie" in page
        assert "reviews/reviews.css" in page  # the site's page, styled, not Django's
        assert "no-store" in response["Cache-Control"]
        assert not Review.objects.exists()

        # Sending again from that page (it set a good cookie and token) is taken.
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data["csrfmiddlewaretoken"] = token
        assert strict.post(url, data).status_code == 302
        assert Review.objects.count() == 1

    @pytest.mark.django_db
    def test_other_forms_keep_djangos_csrf_refusal(self, strict):
        response = strict.post(reverse("admin:login"), {"username": "x", "password": "y"})
        assert response.status_code == 403

    @pytest.mark.django_db
    def test_reviews_paused_after_the_form_was_shown_keep_the_text(
        self, client, published_article, post_review
    ):
        form_page = client.get(reverse("reviews:form", args=[published_article.slug]))
        assert 'id="review-form"' in form_page.content.decode()
        rules = ModerationSettings.load()
        rules.reviews_read_only = True
        rules.save()

        response = post_review(published_article, body="Written before the pause.")
        assert response.status_code == 403
        page = response.content.decode()
        assert "paused" in page
        assert "Written before the pause." in page
        assert "reviews/reviews.css" in page

    @pytest.mark.django_db
    def test_the_spam_trap_is_hidden_without_any_stylesheet(
        self, published_article, make_article, post_review, settings
    ):
        # The 429 page once showed "Leave this field empty" to people: whoever typed there was
        # marked as spam. The HTML itself hides the trap now, styled or not.
        settings.REVIEWS_RATE_LIMIT_COUNT = 1
        post_review(make_article())
        refused = post_review(published_article).content.decode()
        shown = Client().get(reverse("reviews:form", args=[published_article.slug]))
        for page in (refused, shown.content.decode()):
            trap = re.search(r'<div class="review-hp"[^>]*>', page).group(0)
            assert " hidden" in trap


def test_a_disallowed_host_is_logged_once_a_minute_in_one_line(db):
    logger = logging.getLogger("django.security.DisallowedHost")
    # The once-a-minute filter sits on the logger itself: what reaches a handler passed it.
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    # Hosts of this test's own: the filter remembers hosts for a minute across tests.
    attacker, other = (f"{uuid.uuid4().hex}.example" for _ in range(2))
    try:
        client = Client()
        for _ in range(20):
            assert client.get("/", HTTP_HOST=attacker).status_code == 400
        assert client.get("/", HTTP_HOST=other).status_code == 400
    finally:
        logger.removeHandler(handler)

    assert len(records) == 2
    assert all(record.exc_info is None for record in records)
    assert attacker in records[0].getMessage()
    assert "\n" not in logging.Formatter().format(records[0])
