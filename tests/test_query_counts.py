"""Every reader page runs a fixed number of SQL queries, whatever the data.

The newsroom here is big enough to show an N+1: the 30 demo stories and 200 generated ones
over five regions, each with a rubric, tags and authors, and 2,000 reviews, 1,000 of them
approved on one story (``seed_demo --articles 200 --reviews 2000``). The numbers are an
anonymous reader's when the page is not in the page cache (a cached page runs none) but the
blocks many pages share are (navigation, "Latest stories", "More from …"): the page is asked
for once, then counted. README.md lists them ("Performance"). A change that adds a query per
story, tag, author or review fails here.

Deep list pages find where they start from publication times instead of OFFSET (see
``articles.views.NewestFirstPaginator``); the last tests check they list exactly what OFFSET
would, also when stories share a publication time across a page boundary.
"""

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Region, Rubric
from reviews.models import Review
from tests.helpers import counted

PER_PAGE = 20
VENDOR = connection.vendor

# Home: lead story, where each region's block starts, the blocks' stories.
HOME = 3
# Story: the story, its tags, its authors, its corrections, previous and next (one query), its
# published translations (hreflang, the language switcher). The reviews block (the reviews
# app's rules row, count of approved reviews, a page of them and their replies: four more) is
# kept under the story's generation, like the blocks every page shares.
STORY = 6
# A list page: the region (rubric, tag, author), the count (on a later page: the count and
# where the page starts, in one query), the page of stories, and the languages it has a page
# in (hreflang, the language switcher).
LIST_PAGE = 4
# Search: regions and rubrics for the filters, then the engine's own: PostgreSQL estimates the
# matches and ranks them; SQLite counts the word matches and reads a page.
SEARCH = {"postgresql": 5, "sqlite": 4}
# Feeds: the stories with their tags and authors; a list's feed first finds its region.
FEED = 3
LIST_FEED = 4
# Sitemap index: the count of each section's items, and the stories' latest publication.
SITEMAP_INDEX = 8
# A sitemap section: its count, its page, and its URLs' pages in other languages.
SITEMAP_SECTION = 3
ROBOTS = 0
HEALTHZ = 3  # SELECT 1, the task queue, the live workers


@dataclass
class Newsroom:
    region: Region
    rubric: Rubric
    tag: Tag
    author: Author
    busy_story: Article
    quiet_story: Article


@pytest.fixture(scope="module")
def newsroom(django_db_setup, django_db_blocker):
    """Seed the newsroom once for this module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command(
            "seed_demo",
            "--articles",
            "200",
            "--reviews",
            "2000",
            "--no-images",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
        approved = Count("reviews", filter=Q(reviews__status=Review.Status.APPROVED))
        public = Count("articles", filter=Q(articles__in=Article.objects.published()))
        stories = Article.objects.published().annotate(approved=approved)
        yield Newsroom(
            region=Region.objects.annotate(n=public).order_by("-n").first(),
            rubric=Rubric.objects.annotate(n=public).order_by("-n").first(),
            tag=Tag.objects.annotate(n=Count("taggit_taggeditem_items", distinct=True)).order_by(
                "-n", "pk"
            )[0],
            author=Author.objects.annotate(n=public).order_by("-n").first(),
            busy_story=stories.order_by("-approved").first(),
            quiet_story=stories.filter(approved=1).first(),
        )
        transaction.set_rollback(True)


@pytest.fixture
def reader(newsroom, db, client, no_page_cache):
    """A reader's client, every page rendered (no page cache), shared blocks kept as usual."""
    return client


def last_page(url: str, client) -> int:
    return client.get(url).context["paginator"].num_pages


class TestTheDataIsLargeEnough:
    """Guard the counts below: the pages really show many stories, tags, authors and reviews."""

    def test_volumes(self, newsroom, db):
        assert Article.objects.published().count() >= 220
        # The generated ones; the demo adds a small conversation of its own (reviews.demo).
        assert Review.objects.filter(article__slug__startswith="generated-").count() == 2000
        assert newsroom.busy_story.reviews.filter(status="approved").count() == 1000
        assert Region.objects.in_language("en").count() == 5  # and their 5 Russian versions

    def test_pages_are_full(self, newsroom, reader):
        home = reader.get("/")
        assert sum(len(stories) for _, stories in home.context["region_blocks"]) == 20
        story = reader.get(newsroom.busy_story.get_absolute_url())
        assert len(story.content.decode().split('class="review"')) - 1 == 50
        assert b"1000 reviews" in story.content
        for taxonomy in (newsroom.region, newsroom.rubric, newsroom.author):
            listing = reader.get(taxonomy.get_absolute_url())
            assert len(listing.context["object_list"]) == PER_PAGE
            assert listing.context["paginator"].num_pages >= 2
        tag_page = reader.get(reverse("articles:tag", kwargs={"slug": newsroom.tag.slug}))
        assert tag_page.context["paginator"].num_pages >= 2


class TestReaderPages:
    def test_home(self, reader, django_assert_num_queries):
        assert counted(reader, "/", django_assert_num_queries, HOME).status_code == 200

    def test_story_with_a_thousand_reviews(self, reader, newsroom, django_assert_num_queries):
        url = newsroom.busy_story.get_absolute_url()
        assert counted(reader, url, django_assert_num_queries, STORY).status_code == 200

    def test_story_with_one_review(self, reader, newsroom, django_assert_num_queries):
        url = newsroom.quiet_story.get_absolute_url()
        assert counted(reader, url, django_assert_num_queries, STORY).status_code == 200

    def test_later_page_of_reviews(self, reader, newsroom, django_assert_num_queries):
        url = f"{newsroom.busy_story.get_absolute_url()}?reviews_page=20"
        response = counted(reader, url, django_assert_num_queries, STORY)
        assert b"Page 20 of 20" in response.content

    @pytest.mark.parametrize("kind", ["region", "rubric", "tag", "author"])
    def test_list_first_and_last_page(self, reader, newsroom, kind, django_assert_num_queries):
        slug = getattr(newsroom, kind).slug
        url = reverse(f"articles:{kind}", kwargs={"slug": slug})
        last = last_page(url, reader)
        for page in (1, last):
            response = counted(reader, f"{url}?page={page}", django_assert_num_queries, LIST_PAGE)
            assert response.status_code == 200
            assert response.context["page_obj"].number == page

    def test_search(self, reader, django_assert_num_queries):
        response = counted(reader, "/search/?q=water", django_assert_num_queries, SEARCH[VENDOR])
        assert response.status_code == 200
        assert response.context["page_obj"]

    @pytest.mark.parametrize("path", ["/feed/", "/feed/atom/"])
    def test_site_feeds(self, reader, path, django_assert_num_queries):
        with django_assert_num_queries(FEED):
            response = reader.get(path)
        assert response.status_code == 200
        assert response.content.count(b"<item>") + response.content.count(b"<entry>") == 50

    @pytest.mark.parametrize("kind", ["region", "rubric", "tag", "author"])
    @pytest.mark.parametrize("atom", [False, True])
    def test_list_feeds(self, reader, newsroom, kind, atom, django_assert_num_queries):
        name = f"articles:{kind}-feed" + ("-atom" if atom else "")
        url = reverse(name, kwargs={"slug": getattr(newsroom, kind).slug})
        with django_assert_num_queries(LIST_FEED):
            assert reader.get(url).status_code == 200

    def test_sitemap_index(self, reader, django_assert_num_queries):
        with django_assert_num_queries(SITEMAP_INDEX):
            assert reader.get("/sitemap.xml").status_code == 200

    @pytest.mark.parametrize(
        "section", ["articles", "news", "regions", "rubrics", "tags", "authors"]
    )
    def test_sitemap_sections(self, reader, section, django_assert_num_queries):
        with django_assert_num_queries(SITEMAP_SECTION):
            response = reader.get(f"/sitemap-{section}.xml")
        assert response.status_code == 200
        assert b"<url>" in response.content

    def test_robots_txt(self, reader, django_assert_num_queries):
        with django_assert_num_queries(ROBOTS):
            assert reader.get("/robots.txt").status_code == 200

    def test_healthz(self, reader, django_assert_num_queries):
        with django_assert_num_queries(HEALTHZ):
            assert reader.get("/healthz").status_code == 200


@pytest.mark.django_db
class TestDeepPages:
    """Later pages start at a publication time yet list what OFFSET would, ties included."""

    @pytest.fixture
    def add_story(self, db):
        region = Region.objects.create(name="Crowded", slug="crowded")
        rubric = Rubric.objects.create(name="Crowded rubric", slug="crowded-rubric")

        def add(slug: str, **fields) -> Article:
            fields.setdefault("status", Article.Status.PUBLISHED)
            return Article.objects.create(
                title=slug, slug=slug, teaser=slug, region=region, rubric=rubric, **fields
            )

        return add

    @pytest.fixture
    def crowded_region(self, add_story):
        now = timezone.now()
        # 70 stories; 25 of them (a bulk publish) share one time across the 20th and 40th.
        times = [now - timedelta(minutes=n) for n in range(15)]
        times += [now - timedelta(hours=1)] * 25
        times += [now - timedelta(hours=2, minutes=n) for n in range(30)]
        for number, moment in enumerate(times):
            story = add_story(f"crowded-{number}", publish_at=moment)
        return story.region

    def test_every_page_lists_what_offset_would(self, client, crowded_region):
        stories = Article.objects.published().filter(region=crowded_region).newest_first()
        expected = [story.pk for story in stories]
        listed = []
        for page in (1, 2, 3, 4):
            response = client.get(f"{crowded_region.get_absolute_url()}?page={page}")
            assert response.status_code == 200
            assert response.context["paginator"].count == 70
            listed += [story.pk for story in response.context["object_list"]]
        assert listed == expected

    def test_page_past_the_end_is_404(self, client, crowded_region):
        assert client.get(f"{crowded_region.get_absolute_url()}?page=5").status_code == 404

    def test_hidden_stories_take_no_place(self, client, crowded_region, add_story):
        add_story("crowded-draft", status=Article.Status.DRAFT, publish_at=timezone.now())
        add_story("crowded-scheduled", publish_at=timezone.now() + timedelta(days=1))
        response = client.get(f"{crowded_region.get_absolute_url()}?page=4")
        assert response.context["paginator"].count == 70
        assert len(response.context["object_list"]) == 10


@pytest.mark.django_db
class TestNeighbours:
    """The story page finds its previous and next stories in one query, ties included."""

    def test_stories_published_at_the_same_time_link_in_id_order(self, client):
        region = Region.objects.create(name="Tied", slug="tied")
        rubric = Rubric.objects.create(name="Tied rubric", slug="tied-rubric")
        # The newest public stories, whatever else the database holds.
        moment = timezone.now() - timedelta(seconds=30)
        stories = [
            Article.objects.create(
                title=f"Tied {number}",
                slug=f"tied-{number}",
                teaser="Published in one bulk action.",
                region=region,
                rubric=rubric,
                status=Article.Status.PUBLISHED,
                publish_at=moment,
            )
            for number in range(3)
        ]
        first, middle, last = stories
        page = client.get(middle.get_absolute_url()).content.decode()
        assert f'rel="prev" href="{first.get_absolute_url()}"' in page
        assert f'rel="next" href="{last.get_absolute_url()}"' in page
        edge = client.get(last.get_absolute_url())
        assert edge.context["previous_article"] == middle
        assert edge.context["next_article"] is None
