"""The signed links of the emails: confirming, preferences, one-click unsubscribe."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.test import Client

from articles.models import Region
from newsletters import tokens
from newsletters.models import Subscriber


@pytest.fixture
def caucasus(db) -> Region:
    return Region.objects.create(name="South Caucasus", slug="south-caucasus")


def path_of(url: str) -> str:
    return url.split("8000", 1)[1]


def test_opening_the_confirmation_link_asks_and_only_the_button_confirms(make_subscriber):
    subscriber = make_subscriber("nare@example.org", confirmed=False)
    link = path_of(tokens.url(tokens.CONFIRM, subscriber.pk))
    browser = Client(enforce_csrf_checks=True)

    page = browser.get(link)
    assert page.status_code == 200
    assert "Yes, subscribe me" in page.content.decode()
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "no-referrer"
    subscriber.refresh_from_db()
    assert subscriber.status == "unconfirmed"

    # No CSRF token: the signed link is what counts (the page sends no Referer, so browsers
    # post it with "Origin: null").
    done = browser.post(link, HTTP_ORIGIN="null")
    assert "you are subscribed" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed" and subscriber.confirmed_at is not None


def test_a_confirmation_link_expires_and_a_tampered_or_borrowed_one_opens_nothing(
    settings, client, make_subscriber
):
    subscriber = make_subscriber("nare@example.org", confirmed=False)
    other = make_subscriber("omar@example.org", confirmed=False)
    token = tokens.make(tokens.CONFIRM, subscriber.pk)
    long_ago = (
        time.time() - timedelta(days=settings.NEWSLETTER_CONFIRM_DAYS, hours=1).total_seconds()
    )
    with mock.patch("django.core.signing.time.time", return_value=long_ago):
        expired = tokens.make(tokens.CONFIRM, subscriber.pk)

    page = client.post(f"/newsletter/confirm/{expired}/")
    assert page.status_code == 410
    assert "This confirmation link has expired" in page.content.decode()

    payload, rest = token.split(":", 1)
    forged_payload = signing.b64_encode(b'{"s":%d}' % other.pk).decode()
    forged = f"{forged_payload}:{rest}"
    preferences_token = tokens.make(tokens.PREFERENCES, subscriber.pk)
    for bad in (forged, token[:-2] + "xx", preferences_token):
        assert client.post(f"/newsletter/confirm/{bad}/").status_code == 404
    assert not Subscriber.objects.filter(status="confirmed").exists()


def test_the_preferences_page_changes_the_choices_of_its_subscriber_only(
    client, make_subscriber, caucasus
):
    subscriber = make_subscriber("nare@example.org")
    link = path_of(tokens.url(tokens.PREFERENCES, subscriber.pk))

    page = client.get(link)
    assert "nare@example.org" in page.content.decode()
    saved = client.post(link, {"frequency": "weekly", "region": "south-caucasus", "breaking": "on"})

    assert saved.status_code == 200
    assert "Saved." in saved.content.decode()
    subscriber.refresh_from_db()
    assert (subscriber.frequency, subscriber.breaking, subscriber.everything) == (
        "weekly",
        True,
        False,
    )
    assert list(subscriber.regions.all()) == [caucasus]

    junk = client.post(link, {"frequency": "weekly", "region": "atlantis"})
    assert junk.status_code == 400
    assert "Select a valid choice" in junk.content.decode()
    unsubscribe_token = tokens.make(tokens.UNSUBSCRIBE, subscriber.pk)
    assert client.get(f"/newsletter/preferences/{unsubscribe_token}/").status_code == 404


def test_one_click_unsubscribe_is_a_post_without_cookies_or_token(make_subscriber):
    subscriber = make_subscriber("nare@example.org")
    link = path_of(tokens.url(tokens.UNSUBSCRIBE, subscriber.pk))
    mail_program = Client(enforce_csrf_checks=True)

    response = mail_program.post(
        link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert not Subscriber.objects.exists()
    # Again, or from the preferences link afterwards: the same calm answer.
    assert mail_program.post(link).status_code == 200
    preferences = tokens.url(tokens.PREFERENCES, subscriber.pk)
    assert "You are unsubscribed" in mail_program.get(path_of(preferences)).content.decode()


def test_opening_the_unsubscribe_link_asks_before_unsubscribing(client, make_subscriber):
    subscriber = make_subscriber("nare@example.org")
    link = path_of(tokens.url(tokens.UNSUBSCRIBE, subscriber.pk))

    page = client.get(link)

    assert page.status_code == 200
    assert "Unsubscribe from the newsletter" in page.content.decode()
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()
    client.post(link)
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    bad = link.replace("/unsubscribe/", "/unsubscribe/x")
    assert client.post(bad).status_code == 404


def test_the_confirmation_page_says_what_was_asked_for_before_the_button(
    client, make_subscriber, caucasus
):
    # Anyone could have chosen these on a form for this address: its owner sees them here.
    subscriber = make_subscriber(
        "nare@example.org", confirmed=False, frequency="weekly", regions=[caucasus], breaking=True
    )

    page = client.get(path_of(tokens.url(tokens.CONFIRM, subscriber.pk))).content.decode()

    choices = page.split('<ul class="newsletter-choices">', 1)[1].split("</ul>", 1)[0]
    assert "a weekly digest" in choices
    assert "South Caucasus" in choices
    assert "breaking-news alerts" in choices
    assert page.index("South Caucasus") < page.index("Yes, subscribe me")
