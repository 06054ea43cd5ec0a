"""The read beacon: counted from our own pages only, no cookie, no CSRF token, always 204."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from readership.models import StoryReads
from tests.readership.conftest import BROWSER, stored_reads

pytestmark = pytest.mark.django_db


def test_a_read_from_a_story_page_is_counted(read, published_article):
    response = read(published_article)

    assert response.status_code == 204
    assert response.content == b""
    assert stored_reads(published_article) == 1


def test_the_beacon_sets_no_cookie_and_no_cache_keeps_its_answer(read, published_article):
    response = read(published_article)

    assert response.cookies == {}
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_cached_page_has_no_token_to_send_and_needs_none(published_article):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        reverse("readership:read", args=[published_article.pk]),
        HTTP_SEC_FETCH_SITE="same-origin",
        HTTP_USER_AGENT=BROWSER,
    )

    assert response.status_code == 204
    assert stored_reads(published_article) == 1


def test_asking_with_get_is_refused_and_counts_nothing(client, published_article):
    response = client.get(reverse("readership:read", args=[published_article.pk]))

    assert response.status_code == 405
    assert stored_reads(published_article) == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"fetch_site": "cross-site"},
        {"fetch_site": "same-site"},
        {"fetch_site": "none"},
        # An older browser: no fetch metadata, but the Origin of another site.
        {"fetch_site": None, "HTTP_ORIGIN": "https://elsewhere.example"},
        # No browser at all: neither header.
        {"fetch_site": None},
    ],
    ids=["cross-site", "same-site", "typed-address", "foreign-origin", "no-browser"],
)
def test_a_post_from_anywhere_but_our_pages_is_answered_but_not_counted(
    read, published_article, headers
):
    response = read(published_article, **headers)

    assert response.status_code == 204
    assert stored_reads(published_article) == 0


def test_an_older_browser_on_our_page_is_counted_by_its_origin(read, published_article):
    response = read(published_article, fetch_site=None, HTTP_ORIGIN=settings.SITE_URL)

    assert response.status_code == 204
    assert stored_reads(published_article) == 1


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
        "+https://openai.com/gptbot)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "",
    ],
    ids=["googlebot", "bingbot", "gptbot", "facebook", "curl", "python-requests", "none"],
)
def test_robots_are_not_counted(read, published_article, user_agent):
    response = read(published_article, user_agent=user_agent)

    assert response.status_code == 204
    assert stored_reads(published_article) == 0


def test_one_readers_reloads_count_once(read, published_article):
    for _reload in range(10):
        read(published_article)

    assert stored_reads(published_article) == 1


def test_readers_are_told_apart_by_address_and_browser(read, published_article):
    read(published_article)
    read(published_article, ip="198.51.100.24")
    read(published_article, user_agent=BROWSER.replace("Linux x86_64", "Windows NT 10.0"))
    read(published_article)

    assert stored_reads(published_article) == 3


def test_an_ipv6_reader_is_one_reader_across_its_64(read, published_article):
    # Privacy extensions give one household many addresses of one /64.
    read(published_article, ip="2001:db8:1:2::10")
    read(published_article, ip="2001:db8:1:2:abcd::99")
    read(published_article, ip="2001:db8:1:3::10")

    assert stored_reads(published_article) == 2


def test_each_story_a_reader_reads_counts(read, make_article):
    first, second = make_article(), make_article()

    read(first)
    read(second)

    assert stored_reads(first) == stored_reads(second) == 1


@pytest.mark.parametrize("story_id", [0, 987654, 2**63, 10**30])
def test_ids_that_are_no_story_are_answered_and_never_stored(read, published_article, story_id):
    response = read(story_id)

    assert response.status_code == 204
    assert stored_reads(published_article) == 0
    assert not StoryReads.objects.exists()


def test_one_client_changing_its_browser_at_every_read_cannot_lift_a_story_alone(
    read, published_article, settings
):
    settings.NEWSROOM_READS_PER_NETWORK_STORY = 5
    for version in range(20):
        read(published_article, user_agent=BROWSER.replace("130.0.0.0", f"130.0.{version}.0"))
    # Another network's readers still count.
    read(published_article, ip="198.51.100.24")

    assert stored_reads(published_article) == 5 + 1


def test_one_client_reading_everything_counts_up_to_its_daily_budget(read, make_article, settings):
    settings.NEWSROOM_READS_PER_NETWORK = 3
    stories = [make_article() for _ in range(5)]
    for story in stories:
        read(story)
    read(stories[4], ip="198.51.100.24")

    assert [stored_reads(story) for story in stories] == [1, 1, 1, 0, 1]
