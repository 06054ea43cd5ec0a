"""A story with an "unpublish at" time leaves every public surface by itself at that moment.

No job runs: the published gate compares the time, as it does for scheduled publication, and
the page cache's clock drops every stored page that could link the story.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article
from pagecache.keys import LEASE_KEY
from tests.helpers import change_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """Return ``move(minutes)``: from then on, ``timezone.now()`` is that much later."""
    start = timezone.now()

    def move(minutes: float):
        later = start + timedelta(minutes=minutes)
        monkeypatch.setattr(timezone, "now", lambda: later)
        # The page cache trusts its stored pages for a lease of a few seconds; then it asks
        # its clocks what changed by itself.
        cache.delete(LEASE_KEY)
        return later

    return move


@pytest.fixture
def offer(make_article):
    return make_article(
        title="An expiring offer",
        slug="an-expiring-offer",
        tags=["offers"],
        unpublish_at=timezone.now() + timedelta(minutes=10),
    )


PUBLIC_SURFACES = (
    "/",
    "/feed/",
    "/feed/atom/",
    "/sitemap-articles.xml",
    "/sitemap-news.xml",
    "/sitemap-tags.xml",
    "/regions/post-soviet-region/",
    "/tags/offers/",
    "/search/?q=expiring",
    "/api/v1/stories/",
)


def test_the_gate_lets_a_story_through_until_its_unpublish_time(offer, clock):
    assert Article.objects.published().filter(pk=offer.pk).exists()
    assert offer.is_published() and not offer.is_expired()

    clock(11)

    assert not Article.objects.published().filter(pk=offer.pk).exists()
    assert not offer.is_published()
    assert offer.is_expired()
    assert not Article.objects.scheduled().filter(pk=offer.pk).exists()


def test_an_expired_story_leaves_every_cached_public_surface(client, offer, make_article, clock):
    make_article(title="Another story that stays")
    story_page = offer.get_absolute_url()
    assert client.get(story_page).status_code == 200
    for url in PUBLIC_SURFACES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"an-expiring-offer" in response.content or b"/tags/offers/" in response.content, url

    clock(11)

    assert client.get(story_page).status_code == 404
    for url in PUBLIC_SURFACES:
        content = client.get(url).content
        assert b"An expiring offer" not in content, url
        assert b"an-expiring-offer" not in content, url
    assert client.get("/api/v1/stories/an-expiring-offer/").status_code == 404
    # Its tag has no public story left: no page, no sitemap entry.
    assert b"/tags/offers/" not in client.get("/sitemap-tags.xml").content


def test_an_old_address_of_an_expired_story_answers_gone(client, offer, clock):
    offer.slug = "an-expiring-offer-renamed"
    offer.save()
    assert client.get("/articles/an-expiring-offer/").status_code == 301

    clock(11)

    response = client.get("/articles/an-expiring-offer/")
    assert response.status_code == 410
    assert b"renamed" not in response.content


def test_editors_set_an_unpublish_time_that_must_come_after_publication(
    editor_client, published_article, open_form
):
    before = timezone.localtime(published_article.publish_at - timedelta(hours=1))
    data = open_form(
        editor_client,
        published_article,
        unpublish_at_0=before.strftime("%Y-%m-%d"),
        unpublish_at_1=before.strftime("%H:%M:%S"),
        title="A title typed before the mistake",
    )
    response = editor_client.post(change_url(published_article), data)
    assert response.status_code == 200
    assert "must come down after it goes up" in response.content.decode()
    assert "A title typed before the mistake" in response.content.decode()
    published_article.refresh_from_db()
    assert published_article.unpublish_at is None

    later = timezone.localtime(timezone.now() + timedelta(days=3))
    data.update(
        unpublish_at_0=later.strftime("%Y-%m-%d"), unpublish_at_1=later.strftime("%H:%M:%S")
    )
    response = editor_client.post(change_url(published_article), data)
    assert response.status_code == 302
    published_article.refresh_from_db()
    assert published_article.unpublish_at.replace(microsecond=0) == later.replace(microsecond=0)
    assert published_article.is_published()


def test_a_new_story_with_an_unpublish_time_is_accepted(editor_client, region, rubric):
    later = timezone.localtime(timezone.now() + timedelta(days=1))
    data = form_data(
        rubric=rubric.pk,
        region=region.pk,
        status=Article.Status.PUBLISHED,
        unpublish_at_0=later.strftime("%Y-%m-%d"),
        unpublish_at_1=later.strftime("%H:%M:%S"),
    )
    response = editor_client.post("/admin/articles/article/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    story = Article.objects.get(slug=data["slug"])
    assert story.unpublish_at is not None
    assert story.is_published()


def test_search_engines_are_told_when_the_story_comes_down(client, offer):
    page = client.get(offer.get_absolute_url()).content.decode()
    moment = timezone.localtime(offer.unpublish_at).isoformat(timespec="seconds")
    assert f'<meta name="robots" content="unavailable_after: {moment}">' in page
    assert f'"expires":"{moment}"' in page


def test_publishing_in_bulk_leaves_a_story_whose_end_has_passed_and_says_so(
    editor_client, make_article
):
    ended = make_article(
        title="An offer that ended",
        status=Article.Status.DRAFT,
        unpublish_at=timezone.now() - timedelta(hours=1),
    )
    ready = make_article(title="Ready to go", status=Article.Status.DRAFT)
    response = editor_client.post(
        "/admin/articles/article/",
        {"action": "publish_selected", "_selected_action": [ended.pk, ready.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 story published." in page
    assert "Not published, as their “unpublish at” time has passed: “An offer that ended”" in page
    ended.refresh_from_db()
    ready.refresh_from_db()
    assert ended.status == Article.Status.DRAFT
    assert ready.is_published()
