"""Reviews as readers meet them: listed on the (shared) story page, sent from the form's page.

The story page is the same for every reader, so it shows the approved reviews and a link to
the form's own page, which is never cached: the form, its token, errors and thank-you live
there.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review
from tests.helpers import review_data

pytestmark = pytest.mark.django_db


def story_page(client, article, **params) -> str:
    response = client.get(article.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def form_url(article) -> str:
    return reverse("reviews:form", args=[article.slug])


def test_story_links_to_the_form_under_leave_a_review(client, published_article):
    page = story_page(client, published_article)

    assert "Leave a review" in page
    assert f'href="{form_url(published_article)}"' in page
    # Nothing of one reader's in a page every reader is served.
    assert "csrfmiddlewaretoken" not in page
    assert 'name="timestamp"' not in page
    assert "0 reviews" in page


def test_the_form_has_a_page_of_its_own_that_no_cache_keeps(client, published_article):
    response = client.get(form_url(published_article))
    page = response.content.decode()

    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'name="timestamp"' in page
    assert published_article.title in page
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_after_sending_the_reader_gets_a_thank_you_and_the_way_back(
    client, published_article, post_review
):
    response = post_review(published_article)
    page = client.get(response["Location"]).content.decode()

    assert "Thank you — your review will appear once a moderator approves it." in page
    assert f"{published_article.get_absolute_url()}#reviews" in page
    # Shown once: the next visit is the plain form again.
    assert "Thank you" not in client.get(form_url(published_article)).content.decode()


def test_thank_you_is_not_shown_to_another_reader(client, published_article, post_review):
    post_review(published_article)
    someone_else = Client()

    assert "Thank you" not in story_page(someone_else, published_article)


def test_thank_you_travels_in_a_message_not_in_the_url(published_article, post_review):
    response = post_review(published_article)

    assert "?" not in response["Location"]
    assert "messages" in response.cookies


def test_form_errors_are_private_and_never_cached(published_article, post_review):
    response = post_review(published_article, email="nope")

    cache_control = response["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control


def test_form_errors_are_tied_to_their_fields_and_keep_what_was_typed(
    published_article, post_review
):
    response = post_review(published_article, name="Keep me", email="nope")
    page = response.content.decode()

    assert 'aria-describedby="review-email_error"' in page or (
        'aria-describedby="review-email_helptext review-email_error"' in page
    )
    assert 'id="review-email_error"' in page
    assert 'aria-invalid="true"' in page
    assert 'value="Keep me"' in page
    assert 'value="nope"' in page
    assert "The second paragraph about the border talks was the best." in page
    # The reader still sees which story they are writing about.
    assert published_article.title in page


def test_approved_reviews_are_listed_oldest_first_with_their_count(
    client, published_article, make_review
):
    now = timezone.now()
    first = make_review(name="First reader")
    second = make_review(name="Second reader")
    Review.objects.filter(pk=first.pk).update(created_at=now - timedelta(hours=2))
    Review.objects.filter(pk=second.pk).update(created_at=now - timedelta(hours=1))

    page = story_page(client, published_article)

    assert "2 reviews" in page
    assert page.index("First reader") < page.index("Second reader")


def test_one_review_is_counted_in_the_singular(client, published_article, make_review):
    make_review()

    assert "1 review<" in story_page(client, published_article)


@pytest.mark.parametrize("status", ["pending", "rejected", "spam"])
def test_unapproved_reviews_appear_nowhere_public(client, published_article, make_review, status):
    make_review(name="Hidden Name", body="Hidden words here", status=status)
    pages = [
        story_page(client, published_article),
        client.get("/").content.decode(),
        client.get(published_article.region.get_absolute_url()).content.decode(),
    ]

    for page in pages:
        assert "Hidden Name" not in page
        assert "Hidden words here" not in page
    assert "0 reviews" in pages[0]


def test_email_is_never_shown(client, published_article, make_review):
    make_review(email="secret.reader@example.org")

    assert "secret.reader@example.org" not in story_page(client, published_article)


def test_script_in_name_and_body_is_escaped(client, published_article, make_review):
    make_review(
        name='<script>alert("n")</script>',
        body='<img src=x onerror=alert(1)>\n<a href="javascript:alert(2)">click</a>',
    )
    page = story_page(client, published_article)

    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert '<a href="javascript' not in page
    assert "&lt;script&gt;alert(&quot;n&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;<br>" in page


def test_links_in_reviews_are_not_clickable(client, published_article, make_review):
    make_review(body="See https://example.com/page for more")
    page = story_page(client, published_article)

    assert "See https://example.com/page for more" in page
    assert 'href="https://example.com/page"' not in page


def test_line_breaks_are_kept(client, published_article, make_review):
    make_review(body="One line\nAnother line")

    assert "One line<br>Another line" in story_page(client, published_article)


def test_newsroom_reply_is_shown_marked_as_the_newsrooms(client, published_article, make_review):
    make_review(reply="Thanks, we corrected the date.")
    page = story_page(client, published_article)

    assert "Reply from the newsroom" in page
    assert "Thanks, we corrected the date." in page


def test_reviews_are_paginated_past_50(client, published_article, make_review):
    for number in range(1, 61):
        make_review(name=f"Reader {number:02d}")

    first = story_page(client, published_article)
    second = story_page(client, published_article, reviews_page=2)

    assert "60 reviews" in first
    assert "Reader 50" in first and "Reader 51" not in first
    assert "Reader 51" in second and "Reader 60" in second and "Reader 01" not in second
    assert f'href="{published_article.get_absolute_url()}?reviews_page=2#reviews"' in first


def test_a_reviews_address_opens_the_page_of_reviews_that_shows_it(
    client, published_article, make_review, settings
):
    settings.REVIEWS_PER_PAGE = 2
    first, second, third = (make_review(name=f"Reader {n}") for n in (1, 2, 3))

    # The follow-up email and the admin's "View on site" link here.
    url = third.get_absolute_url()
    page = client.get(url).content.decode()

    assert first.get_absolute_url() == f"{published_article.get_absolute_url()}#review-{first.pk}"
    assert url == (f"{published_article.get_absolute_url()}?reviews_page=2#review-{third.pk}")
    assert f'id="review-{third.pk}"' in page


def test_a_review_page_number_that_is_not_a_page_is_404(client, published_article, make_review):
    make_review(name="Only reader")
    url = published_article.get_absolute_url()

    # Every address that shows nothing new is refused, so none can fill a cache.
    for value in ("abc", "999", "0"):
        assert client.get(url, {"reviews_page": value}).status_code == 404
    assert "Only reader" in story_page(client, published_article, reviews_page="1")


def test_story_page_runs_the_same_queries_for_1_or_60_reviews(
    client, published_article, make_review, no_page_cache
):
    make_review()
    client.get(published_article.get_absolute_url())  # the blocks every page shares
    # Count at once: the next request resets the connection's query log.
    with CaptureQueriesContext(connection) as captured:
        story_page(client, published_article)
    one = len(captured)
    for _number in range(59):
        make_review()
    client.get(published_article.get_absolute_url())
    with CaptureQueriesContext(connection) as captured:
        page = story_page(client, published_article)
    sixty = len(captured)

    assert "60 reviews" in page
    assert one > 0
    assert one == sixty


def test_reviews_add_four_queries_to_the_story_page(rf, published_article, make_review):
    from django.template import Context, Template

    for _number in range(3):
        make_review()
    template = Template("{% load reviews %}{% reviews_for article %}")
    request = rf.get(published_article.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        template.render(Context({"article": published_article, "request": request}))

    assert len(queries) == 4  # the rules, the count, one page, the page's replies


def test_draft_story_refuses_reviews_with_404(client, draft_article, post_review):
    assert client.get(form_url(draft_article)).status_code == 404
    assert post_review(draft_article).status_code == 404
    assert not Review.objects.exists()


def test_scheduled_story_refuses_reviews_with_404(client, make_article, post_review):
    scheduled = make_article(publish_at=timezone.now() + timedelta(days=1))

    assert client.get(form_url(scheduled)).status_code == 404
    assert post_review(scheduled).status_code == 404


def test_unknown_or_absurd_story_address_is_404(client, published_article):
    for slug in ("no-such-story", "9" * 40):
        response = client.post(f"/articles/{slug}/review/", review_data(published_article))
        assert response.status_code == 404


def test_absurd_review_page_numbers_are_404(client, published_article, make_review):
    make_review(name="Only reader")

    for value in ("9" * 40, "-1", "1e10", "<script>", "\x00"):
        response = client.get(published_article.get_absolute_url(), {"reviews_page": value})
        assert response.status_code == 404


def test_the_form_page_takes_only_get_and_post(client, published_article):
    response = client.put(form_url(published_article))

    assert response.status_code == 405


def test_csrf_protection_stays_on(published_article):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        reverse("reviews:form", args=(published_article.slug,)), review_data(published_article)
    )

    assert response.status_code == 403
    assert not Review.objects.exists()


def test_closed_story_shows_reviews_are_closed_and_refuses_a_post(
    client, make_article, make_review, post_review
):
    closed = make_article(allow_reviews=False)
    make_review(article=closed, name="Earlier reader")

    page = story_page(client, closed)
    assert "Reviews are closed." in page
    assert 'id="review-form"' not in page
    assert "Earlier reader" in page

    assert "Reviews are closed." in client.get(form_url(closed)).content.decode()
    response = post_review(closed)
    assert response.status_code == 403
    refusal = response.content.decode()
    assert "Reviews are closed." in refusal
    # What the reader wrote is not lost.
    assert "The second paragraph about the border talks was the best." in refusal
    assert "no-store" in response["Cache-Control"]
    assert Review.objects.filter(article=closed).count() == 1


def test_reviews_close_30_days_after_publication(client, make_article, post_review):
    old = make_article(publish_at=timezone.now() - timedelta(days=31))
    recent = make_article(publish_at=timezone.now() - timedelta(days=29))

    assert "Reviews are closed." in story_page(client, old)
    assert post_review(old).status_code == 403
    assert "Reviews are closed." not in story_page(client, recent)
    assert post_review(recent).status_code == 302


def test_editors_closing_period_applies(client, make_article, post_review, rules):
    rules.close_after_days = 7
    rules.save()
    story = make_article(publish_at=timezone.now() - timedelta(days=8))

    assert post_review(story).status_code == 403
    rules.close_after_days = 0
    rules.save()
    assert post_review(story).status_code == 302


def test_sixth_review_in_ten_minutes_gets_429_with_retry_after(make_article, post_review, settings):
    settings.REVIEWS_RATE_LIMIT_COUNT = 5
    for number in range(5):
        story = make_article()
        assert post_review(story, body=f"Review number {number}").status_code == 302

    story = make_article()
    response = post_review(story, body="One too many")

    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 600
    page = response.content.decode()
    assert "Please try again in" in page
    assert "One too many" in page  # the text is kept to send later
    assert "no-store" in response["Cache-Control"]
    # The trap for scripts stays out of sight on this page too (reviews.css hides it).
    assert "reviews/reviews.css" in page
    assert 'class="review-hp" aria-hidden="true" hidden' in page
    assert Review.objects.count() == 5


def test_rate_limit_is_per_reader(published_article, make_article, post_review, settings):
    settings.REVIEWS_RATE_LIMIT_COUNT = 1
    assert post_review(published_article, ip="203.0.113.1").status_code == 302
    assert post_review(make_article(), ip="203.0.113.1").status_code == 429
    assert post_review(make_article(), ip="203.0.113.2").status_code == 302


def test_rate_limit_counts_in_the_shared_cache(published_article, post_review, settings):
    from django.core.cache import cache

    from reviews.services import RATE_KEY, client_fingerprint

    settings.REVIEWS_RATE_LIMIT_COUNT = 5
    post_review(published_article, ip="203.0.113.5")

    fingerprint = client_fingerprint("203.0.113.5")
    keys = [
        f"{RATE_KEY.format(fingerprint=fingerprint)}:{window}"
        for window in range(
            int(timezone.now().timestamp() // 600) - 1, int(timezone.now().timestamp() // 600) + 2
        )
    ]
    assert sum(cache.get(key) or 0 for key in keys) == 1


def test_a_broken_cache_does_not_lose_the_review(published_article, post_review, monkeypatch):
    from django.core.cache import cache

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "add", unreachable)

    assert post_review(published_article).status_code == 302
    assert Review.objects.count() == 1


def test_rule_approved_review_is_published_at_once(
    client, published_article, make_review, post_review, rules
):
    rules.trusted_auto_approve = True
    rules.save()
    make_review(email="nino@example.org", body="An earlier approved review.")

    response = post_review(published_article)
    page = client.get(response["Location"]).content.decode()

    assert "Thank you — your review is published." in page
    story = story_page(client, published_article)
    assert "The second paragraph about the border talks was the best." in story


def test_one_ipv6_64_shares_one_rate_limit(published_article, make_article, post_review, settings):
    settings.REVIEWS_RATE_LIMIT_COUNT = 2
    for number in (1, 2):
        assert post_review(make_article(), ip=f"2001:db8:9:9::{number}").status_code == 302

    # Another address of the same /64: the same client, over its limit.
    assert post_review(published_article, ip="2001:db8:9:9:abcd::7").status_code == 429
    # Another /64 is another client.
    assert post_review(published_article, ip="2001:db8:9:a::1").status_code == 302
