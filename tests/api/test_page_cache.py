"""The API's public answers come from the shared page cache, and are never stale there."""

import pytest
from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Correction
from articles.services import articles_publish, articles_unpublish
from pagecache.invalidation import invalidate_everything
from pagecache.keys import FRONT, normalised_query, page_key, subject_of
from reviews.models import Review
from reviews.services import review_moderate
from tests.api.helpers import slugs

pytestmark = pytest.mark.django_db


def served_from_cache(client, url: str, **params) -> bool:
    """Return whether *url* came from the page cache: a stored page runs no query at all."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code in (200, 304)
    return len(queries) == 0


@pytest.fixture
def publisher(db) -> User:
    user = User.objects.create_user("ed", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_article", "publish_article"])
    )
    return User.objects.get(pk=user.pk)


def test_a_second_request_is_a_hit_with_its_parameters_kept(client, make_article, region):
    for _ in range(3):
        make_article()
    url = "/api/v1/stories/"
    client.get(url, {"limit": 2, "region": region.slug})
    assert served_from_cache(client, url, limit=2, region=region.slug)
    # Parameters reach the view through the cache: another limit is another page.
    assert len(client.get(url, {"limit": 1}).json()["items"]) == 1
    assert len(client.get(url, {"limit": 2, "utm_source": "x"}).json()["items"]) == 2
    assert served_from_cache(client, url, limit=2, utm_source="y")


def test_publishing_shows_in_the_cached_api_at_once(client, make_article, publisher):
    story = make_article(status=Article.Status.DRAFT)
    assert slugs(client.get("/api/v1/stories/")) == []
    assert client.get(f"/api/v1/stories/{story.slug}/").status_code == 404
    articles_publish(queryset=Article.objects.filter(pk=story.pk), by=publisher)
    assert slugs(client.get("/api/v1/stories/")) == [story.slug]
    assert client.get(f"/api/v1/stories/{story.slug}/").status_code == 200


def test_unpublishing_takes_a_story_out_of_the_cached_api_at_once(
    client, published_article, publisher
):
    detail = f"/api/v1/stories/{published_article.slug}/"
    client.get(detail)
    client.get("/api/v1/stories/")
    assert served_from_cache(client, detail)
    articles_unpublish(queryset=Article.objects.filter(pk=published_article.pk), by=publisher)
    assert client.get(detail).status_code == 404
    assert slugs(client.get("/api/v1/stories/")) == []
    assert client.get(f"/api/v1/stories/{published_article.slug}/reviews/").status_code == 404


def test_an_edit_shows_in_the_cached_api_at_once(client, published_article):
    detail = f"/api/v1/stories/{published_article.slug}/"
    client.get(detail)
    client.get("/api/v1/stories/")
    published_article.title = "The Almaty talks, corrected"
    published_article.save()
    Correction.objects.create(article=published_article, text="The date was wrong.")
    assert client.get(detail).json()["corrections"][0]["text"] == "The date was wrong."
    assert client.get("/api/v1/stories/").json()["items"][0]["title"] == (
        "The Almaty talks, corrected"
    )


def test_an_approved_review_shows_on_its_story_at_once_and_leaves_others_cached(
    client, make_article, publisher, django_capture_on_commit_callbacks
):
    story, other = make_article(), make_article()
    review = Review.objects.create(article=story, name="N", email="n@example.org", body="x")
    for path in (story.slug, f"{story.slug}/reviews", other.slug):
        client.get(f"/api/v1/stories/{path}/")
    # Bulk moderation is one UPDATE; it announces itself once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        review_moderate(
            reviews=Review.objects.filter(pk=review.pk), status=Review.Status.APPROVED, by=publisher
        )
    assert client.get(f"/api/v1/stories/{story.slug}/").json()["review_count"] == 1
    assert len(client.get(f"/api/v1/stories/{story.slug}/reviews/").json()["items"]) == 1
    assert served_from_cache(client, f"/api/v1/stories/{other.slug}/")


def test_a_keyed_request_is_never_served_a_cached_public_page_nor_stored(
    client, embargo_key, published_article, scheduled_article
):
    _key, token = embargo_key
    keyed = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    path = "/api/v1/stories/"
    stored = [page_key(path, "", encoding) for encoding in ("gzip", "br")]
    assert slugs(client.get(path, **keyed)) == [scheduled_article.slug, published_article.slug]
    assert cache.get_many(stored) == {}
    # The public, asking next, is not given the keyed answer...
    assert slugs(client.get(path)) == [published_article.slug]
    assert set(cache.get_many(stored)) == set(stored)
    # ...and the key holder, asking again, is not given the public one.
    with CaptureQueriesContext(connection) as queries:
        again = client.get(path, **keyed)
    assert len(queries) > 0
    assert slugs(again) == [scheduled_article.slug, published_article.slug]
    assert "private" in again["Cache-Control"]


def test_a_conditional_request_after_an_invalidation_is_answered_like_a_hit_and_stores_the_page(
    client, published_article
):
    detail = f"/api/v1/stories/{published_article.slug}/"
    etag = client.get(detail)["ETag"]
    hit = client.get(detail, HTTP_IF_NONE_MATCH=etag)
    assert hit.status_code == 304
    # Something else changed: every page is stale, this one's content is not.
    invalidate_everything()
    revalidated = client.get(detail, HTTP_IF_NONE_MATCH=etag)
    assert revalidated.status_code == 304
    assert revalidated["ETag"] == etag
    assert revalidated["Cache-Control"] == hit["Cache-Control"]
    assert revalidated["Vary"] == hit["Vary"]
    # The page was stored on the way: the next reader is served from the cache.
    assert served_from_cache(client, detail)


def test_a_bad_key_is_refused_even_where_the_public_page_is_cached(client, published_article):
    client.get("/api/v1/stories/")
    refused = client.get("/api/v1/stories/", HTTP_AUTHORIZATION="Bearer nr_abcdefgh_nope")
    assert refused.status_code == 401


def test_the_page_cache_reads_api_addresses_by_their_own_rules():
    # A story's API answers belong to the story, and go stale with its page.
    assert subject_of("/api/v1/stories/almaty/reviews/") == subject_of("/articles/almaty/")
    assert subject_of("/api/v1/tags/energy/") == "tags/energy"
    assert subject_of("/api/v1/stories/") == subject_of("/api/v1/search/") == FRONT
    # The API's own parameters, as sent (it refuses a blank limit); reader pages' tidied.
    query = QueryDict("limit=&utm_source=x&cursor=a%20%20b&page=2")
    assert normalised_query(query, "/api/v1/stories/") == "cursor=a++b&limit=&page=2"
    assert normalised_query(query, "/regions/europe/") == "page=2"
    assert normalised_query(QueryDict("q=a%20%20b&q=c"), "/search/") == "q=a+b"
