"""Cursor pages: stable while stories are published, as cheap deep as on top, never forged."""

import time
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission, User
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.pagination import SALT
from articles.models import Article, Author, Region
from articles.services import article_publish
from pagecache.keys import LEASE_KEY
from reviews.models import Review
from tests.api.helpers import is_problem, local, slugs

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def cursor_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["cursor"][0]


def walk(client, first_url: str, between=None) -> list[str]:
    """Follow ``next`` from *first_url* to the end; call *between* before each next page."""
    seen = []
    response = client.get(first_url)
    while True:
        assert response.status_code == 200, response.content
        data = response.json()
        seen += [item["slug"] for item in data["items"]]
        if data["next"] is None:
            return seen
        if between is not None:
            between()
        response = client.get(local(data["next"]))


def test_cursor_pages_neither_skip_nor_repeat_while_new_stories_are_published(
    client, make_article, django_user_model
):
    editor = django_user_model.objects.create_user("ed", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="publish_article"))
    start = timezone.now()
    # Some at the same second: the id decides between them.
    listed = [
        make_article(publish_at=start - timedelta(minutes=number // 3)) for number in range(23)
    ]
    drafts = iter([make_article(status=Article.Status.DRAFT) for _ in range(10)])

    def publish_more():
        make_article(publish_at=timezone.now())
        article_publish(article=next(drafts), by=User.objects.get(pk=editor.pk))

    seen = walk(client, "/api/v1/stories/?limit=4", between=publish_more)
    expected = [
        story.slug for story in sorted(listed, key=lambda s: (s.publish_at, s.pk), reverse=True)
    ]
    assert seen == expected


def test_syncing_by_update_time_picks_up_edits_and_publications(client, make_article, region):
    old = [make_article(publish_at=timezone.now() - timedelta(days=3 - n)) for n in range(3)]
    for story in old:
        story.save()  # stamps updated_at in this order
    first = client.get("/api/v1/stories/", {"ordering": "updated", "limit": 2}).json()
    assert [item["slug"] for item in first["items"]] == [old[0].slug, old[1].slug]
    last_seen = first["items"][-1]["updated_at"]

    old[0].title = "Corrected title"
    old[0].save()
    fresh = make_article(publish_at=timezone.now())
    since = client.get(
        "/api/v1/stories/", {"ordering": "updated", "updated_since": last_seen}
    ).json()
    assert [item["slug"] for item in since["items"]] == [
        old[1].slug,  # the last one seen: "since" is inclusive, so nothing is lost
        old[2].slug,
        old[0].slug,
        fresh.slug,
    ]
    assert since["items"][2]["title"] == "Corrected title"


def test_a_scheduled_story_shows_in_a_sync_when_its_time_comes(
    client, make_article, scheduled_article, monkeypatch
):
    make_article()
    synced_at = timezone.now()
    assert slugs(client.get("/api/v1/stories/", {"updated_since": synced_at.isoformat()})) == []
    later = timezone.now() + timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    # The page cache's clock notices the publication at its next lease renewal.
    cache.delete(LEASE_KEY)
    found = client.get("/api/v1/stories/", {"updated_since": synced_at.isoformat()})
    assert slugs(found) == [scheduled_article.slug]


@pytest.mark.parametrize(
    "value",
    [
        "2025-05-09T14:30:00+02:00",
        "2025-05-09T14:30:00 02:00",
        "2025-05-09t12:30:00z",
        "20250509T123000Z",
    ],
)
def test_updated_since_takes_iso_8601_with_an_offset(client, make_article, value):
    make_article(publish_at=timezone.now() - timedelta(days=1))
    assert len(slugs(client.get("/api/v1/stories/", {"updated_since": value}))) == 1


@pytest.mark.parametrize("value", ["2025-05-09T14:30:00", "2025-05-09", "yesterday", "\x00"])
def test_updated_since_without_an_offset_is_a_400_problem(client, value):
    response = client.get("/api/v1/stories/", {"updated_since": value})
    assert is_problem(response, 400)
    assert response.json()["errors"][0]["loc"] == ["query", "updated_since"]


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_updated_since_at_the_ends_of_the_calendar(client, make_article, value):
    make_article()
    assert client.get("/api/v1/stories/", {"updated_since": value}).status_code == 200


def test_a_cursor_deep_in_a_long_list_starts_right_after_its_story(client, make_article):
    stories = [make_article() for _ in range(60)]
    newest_first = sorted(stories, key=lambda s: (s.publish_at, s.pk), reverse=True)
    url = "/api/v1/stories/?limit=7"
    for _ in range(5):
        url = local(client.get(url).json()["next"])
    page = client.get(url).json()
    assert [item["slug"] for item in page["items"]] == [s.slug for s in newest_first[35:42]]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "",
        "a" * 5000,
        "WyJzdG9yaWVzIixbIjIwMjUtMDEtMDFUMDA6MDA6MDArMDA6MDAiLDFdXQ:forged",
        "\x00",
        "☃",
    ],
)
def test_a_tampered_or_garbled_cursor_is_a_400_problem_never_a_500(client, make_article, cursor):
    for _ in range(3):
        make_article()
    response = client.get("/api/v1/stories/", {"cursor": cursor, "limit": 1})
    if not cursor:
        # A blank cursor is no cursor: the first page.
        assert response.status_code == 200
        return
    assert is_problem(response, 400)
    assert response.json()["errors"][0]["loc"] == ["query", "cursor"]


def test_a_cursor_edited_by_one_character_is_refused(client, make_article):
    for _ in range(3):
        make_article()
    cursor = cursor_of(client.get("/api/v1/stories/", {"limit": 1}).json()["next"])
    payload, signature = cursor.rsplit(":", 1)
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    assert is_problem(client.get("/api/v1/stories/", {"cursor": f"{flipped}:{signature}"}), 400)


def test_another_lists_cursor_is_refused(client, make_article):
    Region.objects.create(name="A", slug="a")
    Region.objects.create(name="B", slug="b")
    for _ in range(3):
        make_article()
    regions_next = client.get("/api/v1/regions/", {"limit": 1}).json()["next"]
    cursor = cursor_of(regions_next)
    assert is_problem(client.get("/api/v1/stories/", {"cursor": cursor}), 400)
    updated_cursor = signing.Signer(salt=SALT).sign_object(
        ["stories-updated", ["2025-01-01T00:00:00+00:00", 1]]
    )
    assert is_problem(client.get("/api/v1/stories/", {"cursor": updated_cursor}), 400)
    assert (
        client.get(
            "/api/v1/stories/", {"cursor": updated_cursor, "ordering": "updated"}
        ).status_code
        == 200
    )


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5"])
def test_a_limit_out_of_range_is_a_400_problem(client, limit):
    response = client.get("/api/v1/stories/", {"limit": limit})
    assert is_problem(response, 400)
    assert response.json()["errors"][0]["loc"] == ["query", "limit"]


def test_every_list_walks_to_its_end(client, make_article):
    for number in range(5):
        author = Author.objects.create(name=f"Author {number}", slug=f"author-{number}")
        Region.objects.create(name=f"Region {number}", slug=f"region-{number}")
        story = make_article(tags=[f"tag {number}"], authors=[author])
        for review in range(3):
            Review.objects.create(
                article=story, name=f"R{review}", email="r@example.org", body="x", status="approved"
            )
    assert len(walk(client, "/api/v1/regions/?limit=2")) == 6
    assert len(walk(client, "/api/v1/rubrics/?limit=1")) == 1
    assert walk(client, "/api/v1/tags/?limit=2") == [f"tag-{n}" for n in range(5)]
    assert walk(client, "/api/v1/authors/?limit=2") == [f"author-{n}" for n in range(5)]
    reviews = client.get(f"/api/v1/stories/{story.slug}/reviews/", {"limit": 2}).json()
    rest = client.get(local(reviews["next"])).json()
    assert [r["name"] for r in reviews["items"] + rest["items"]] == ["R0", "R1", "R2"]


class TestQueries:
    """A page costs the same number of queries however many stories, tags, authors it has."""

    @pytest.fixture(autouse=True)
    def uncached(self, no_page_cache):
        pass

    def fill(self, make_article, make_image, count: int, start: int = 0) -> None:
        picture = make_image()
        for number in range(start, start + count):
            author = Author.objects.create(name=f"Writer {number}", slug=f"writer-{number}")
            story = make_article(
                lead_image=picture,
                tags=[f"tag {number}", "common"],
                authors=[author],
                body=f'<p>x</p><figure data-image="{picture.pk}"></figure>',
            )
            Review.objects.create(
                article=story, name="R", email="r@example.org", body="x", status="approved"
            )

    @pytest.mark.parametrize("count", [3, 30])
    def test_a_page_of_stories_runs_a_fixed_number_of_queries(
        self, client, make_article, make_image, django_assert_num_queries, count
    ):
        self.fill(make_article, make_image, count)
        first = client.get("/api/v1/stories/", {"limit": 2})
        # The stories, their authors, their tags, their corrections, the images of their
        # bodies, their published translations.
        with django_assert_num_queries(6):
            assert client.get("/api/v1/stories/", {"limit": 100}).status_code == 200
        with django_assert_num_queries(6):
            assert client.get(local(first.json()["next"])).status_code == 200
        # A filter finds its tag (or region, rubric, author) first.
        with django_assert_num_queries(7):
            answer = client.get("/api/v1/stories/", {"ordering": "updated", "tag": "common"})
        assert answer.status_code == 200

    def test_keyed_pages_add_only_the_keys_lookup_and_its_count(
        self, client, make_article, make_image, make_key, django_assert_num_queries
    ):
        self.fill(make_article, make_image, 5)
        _key, token = make_key(scopes=["embargo"])
        with django_assert_num_queries(8):
            answer = client.get("/api/v1/stories/", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert answer.status_code == 200

    @pytest.mark.parametrize("path", ["tags/", "authors/", "regions/", "rubrics/"])
    def test_taxonomy_lists_run_one_query(
        self, client, make_article, make_image, django_assert_num_queries, path
    ):
        self.fill(make_article, make_image, 5)
        with django_assert_num_queries(1):
            assert client.get(f"/api/v1/{path}").status_code == 200

    def test_search_runs_as_many_queries_for_many_results_as_for_few(
        self, client, make_article, make_image
    ):
        self.fill(make_article, make_image, 3)
        few = queries_for(client, "/api/v1/search/?q=story")
        self.fill(make_article, make_image, 30, start=3)
        assert queries_for(client, "/api/v1/search/?q=story") == few


def test_an_embargo_sync_client_sees_an_edit_made_after_it_synced_past_an_embargoed_story(
    client, make_article, embargo_key, scheduled_article
):
    _key, token = embargo_key
    keyed = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    public = make_article(publish_at=timezone.now() - timedelta(days=1))
    scheduled_article.save()  # edited last: the last story of the sync
    synced = client.get("/api/v1/stories/", {"ordering": "updated"}, **keyed).json()["items"]
    assert [item["slug"] for item in synced] == [public.slug, scheduled_article.slug]
    # As the docs say: keep the updated_at of the last story seen. It is no time in the future.
    bookmark = synced[-1]["updated_at"]
    assert datetime.fromisoformat(bookmark) <= timezone.now()

    public.title = "Corrected after the sync"
    public.save()
    since = client.get(
        "/api/v1/stories/", {"ordering": "updated", "updated_since": bookmark}, **keyed
    ).json()["items"]
    assert [item["slug"] for item in since] == [scheduled_article.slug, public.slug]
    assert since[-1]["title"] == "Corrected after the sync"


def test_an_embargoed_story_comes_again_in_an_embargo_sync_when_its_time_comes(
    client, make_article, embargo_key, scheduled_article, monkeypatch
):
    _key, token = embargo_key
    keyed = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    make_article()
    scheduled_article.save()  # edited last: the last story of the sync
    synced = client.get("/api/v1/stories/", {"ordering": "updated"}, **keyed).json()["items"]
    assert synced[-1]["slug"] == scheduled_article.slug
    assert synced[-1]["embargoed_until"] is not None
    bookmark = synced[-1]["updated_at"]

    later = timezone.now() + timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    again = client.get(
        "/api/v1/stories/", {"ordering": "updated", "updated_since": bookmark}, **keyed
    ).json()["items"]
    assert [item["slug"] for item in again] == [scheduled_article.slug]
    assert again[0]["embargoed_until"] is None
    published_at = datetime.fromisoformat(again[0]["updated_at"])
    assert abs(published_at - scheduled_article.publish_at) < timedelta(milliseconds=1)


def test_the_same_place_in_a_list_has_the_same_cursor_at_any_moment(client, make_article):
    # One cursor per place, for every client: the next page is one page-cache entry.
    for _ in range(3):
        make_article()
    first = client.get("/api/v1/stories/", {"limit": 1}).json()["next"]
    time.sleep(1.1)
    cache.clear()

    assert client.get("/api/v1/stories/", {"limit": 1}).json()["next"] == first
