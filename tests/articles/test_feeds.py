"""RSS and Atom feeds, read back by a real feed reader's parser."""

from datetime import timedelta
from unittest import mock

import feedparser
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.feeds import FEED_SIZE
from articles.models import Article, Author, Region, Rubric
from articles.seo import article_modified_at
from tests.helpers import SITE

FEEDS = [("articles-feed", "rss20"), ("articles-feed-atom", "atom10")]


def read_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return response, feed


@pytest.fixture
def rich_article(make_article):
    """A story with two authors, tags, a correction and a 1200x630 sharing image on disk."""
    ana = Author.objects.create(name="Ana Beridze", slug="ana-beridze")
    timur = Author.objects.create(name="Timur Sadykov", slug="timur-sadykov")
    og_path = default_storage.save(
        "renditions/og/almaty.jpg", ContentFile(b"\xff\xd8" + b"0" * 998)
    )
    article = make_article(
        title="Talks in Almaty",
        slug="talks-in-almaty",
        teaser="Foreign ministers meet on neutral ground.",
        body="<p>The ministers <strong>met</strong> for the first time.</p>",
        tags=["diplomacy", "peace talks"],
        authors=[ana, timur],
        publish_at=timezone.now() - timedelta(minutes=5),
    )
    Article.objects.filter(pk=article.pk).update(
        lead_image="articles/2024/05/almaty.jpg",
        lead_image_width=1600,
        lead_image_height=900,
        lead_image_renditions={"og.jpg": og_path, "640.jpg": "x.jpg"},
        revised_at=timezone.now() - timedelta(minutes=1),
    )
    return Article.objects.get(pk=article.pk)


@pytest.mark.django_db
class TestSiteFeeds:
    @pytest.mark.parametrize(("url_name", "version"), FEEDS)
    def test_feed_is_valid_and_lists_published_stories_newest_first(
        self, client, make_article, url_name, version
    ):
        make_article(title="Older story")
        make_article(title="Newest story", publish_at=timezone.now() - timedelta(seconds=30))
        make_article(title="A draft", status=Article.Status.DRAFT)
        make_article(title="In review", status=Article.Status.REVIEW)
        make_article(title="Scheduled", publish_at=timezone.now() + timedelta(hours=3))
        _, feed = read_feed(client, reverse(url_name))
        assert feed.version == version
        assert feed.feed.title == "Newsroom"
        assert [entry.title for entry in feed.entries] == ["Newest story", "Older story"]

    @pytest.mark.parametrize(("url_name", "version"), FEEDS)
    def test_entry_carries_everything_a_reader_needs(self, client, rich_article, url_name, version):
        _, feed = read_feed(client, reverse(url_name))
        (entry,) = feed.entries
        assert entry.link == f"{SITE}/articles/talks-in-almaty/"
        assert entry.summary == "Foreign ministers meet on neutral ground."
        assert entry.content[0].value == (
            "<p>The ministers <strong>met</strong> for the first time.</p>"
        )
        assert entry.published_parsed[:6] == rich_article.publish_at.utctimetuple()[:6]
        assert article_modified_at(rich_article) == rich_article.revised_at
        assert entry.updated_parsed[:6] == rich_article.revised_at.utctimetuple()[:6]
        assert entry.author == "Ana Beridze, Timur Sadykov"
        assert {tag.term for tag in entry.tags} == {
            "Road sign",
            "Post-Soviet region",
            "diplomacy",
            "peace talks",
        }
        (enclosure,) = entry.enclosures
        assert enclosure.href.startswith(f"{SITE}/media/renditions/og/")
        assert enclosure.length == "1000"
        assert enclosure.type == "image/jpeg"

    def test_each_picture_size_is_asked_of_the_storage_once(self, client, rich_article):
        """On object storage each size is a request; feeds are read far more than written."""
        with mock.patch.object(default_storage, "size", wraps=default_storage.size) as size:
            for url_name, _ in FEEDS:
                read_feed(client, reverse(url_name))
                read_feed(client, reverse(url_name))
        assert size.call_count == 1

    def test_missing_image_file_gives_no_enclosure_and_a_valid_feed(self, client, make_article):
        article = make_article(title="Picture lost")
        Article.objects.filter(pk=article.pk).update(
            lead_image_renditions={"og.jpg": "renditions/og/gone.jpg"}
        )
        for url_name, _ in FEEDS:
            _, feed = read_feed(client, reverse(url_name))
            assert feed.entries[0].get("enclosures", []) == []

    def test_feed_holds_the_latest_fifty(self, client, region, rubric):
        now = timezone.now()
        Article.objects.bulk_create(
            Article(
                title=f"Bulk {number}",
                slug=f"bulk-{number}",
                teaser="Lede.",
                region=region,
                rubric=rubric,
                status=Article.Status.PUBLISHED,
                publish_at=now - timedelta(minutes=number),
            )
            for number in range(1, FEED_SIZE + 6)
        )
        _, feed = read_feed(client, reverse("articles-feed"))
        assert len(feed.entries) == FEED_SIZE
        assert feed.entries[0].title == "Bulk 1"
        assert feed.entries[-1].title == f"Bulk {FEED_SIZE}"

    def test_hostile_titles_stay_well_formed(self, client, make_article):
        make_article(title="</title><script>x</script> & <![CDATA[", teaser="a < b & c > d")
        for url_name, _ in FEEDS:
            _, feed = read_feed(client, reverse(url_name))
            assert feed.entries[0].title == "</title><script>x</script> & <![CDATA["


@pytest.mark.django_db
class TestTaxonomyFeeds:
    @pytest.fixture
    def two_of_everything(self, make_article, region, rubric):
        caucasus = Region.objects.create(name="South Caucasus", slug="south-caucasus")
        interview = Rubric.objects.create(name="Interview", slug="interview")
        writer = Author.objects.create(name="Lela Kapanadze", slug="lela")
        make_article(title="In the Caucasus", region=caucasus, rubric=interview, tags=["energy"])
        make_article(title="Elsewhere", authors=[writer])
        return caucasus, interview, writer

    @pytest.mark.parametrize("atom", [False, True])
    @pytest.mark.parametrize(
        ("kind", "slug", "expected"),
        [
            ("region", "south-caucasus", "In the Caucasus"),
            ("rubric", "interview", "In the Caucasus"),
            ("tag", "energy", "In the Caucasus"),
            ("author", "lela", "Elsewhere"),
        ],
    )
    def test_list_page_feed_holds_only_its_stories(
        self, client, two_of_everything, kind, slug, expected, atom
    ):
        name = f"articles:{kind}-feed" + ("-atom" if atom else "")
        url = reverse(name, kwargs={"slug": slug})
        assert url == reverse(f"articles:{kind}", kwargs={"slug": slug}) + (
            "feed/atom/" if atom else "feed/"
        )
        _, feed = read_feed(client, url)
        assert [entry.title for entry in feed.entries] == [expected]
        assert feed.feed.link.startswith(f"{SITE}/")

    def test_unknown_slug_is_404(self, client, db):
        assert client.get("/regions/atlantis/feed/").status_code == 404
        assert client.get("/tags/nothing/feed/atom/").status_code == 404


@pytest.mark.django_db
@pytest.mark.usefixtures("no_page_cache")
class TestFeedQueryCount:
    @pytest.mark.parametrize(
        "url",
        ["/feed/", "/feed/atom/", "/regions/post-soviet-region/feed/", "/tags/energy/feed/atom/"],
    )
    def test_feed_query_count_is_fixed(self, client, make_article, url):
        authors = [Author.objects.create(name=f"Writer {n}", slug=f"writer-{n}") for n in range(3)]

        def add_stories(count):
            for _ in range(count):
                make_article(tags=["energy", "gas"], authors=authors)

        add_stories(5)
        with CaptureQueriesContext(connection) as few:
            read_feed(client, url)
        add_stories(55)
        with CaptureQueriesContext(connection) as many:
            read_feed(client, url)
        # Stories, their tags, their authors (+ the region or tag of a narrowed feed).
        expected = 3 if url.startswith("/feed/") else 4
        assert len(few) == len(many) == expected
        assert Tag.objects.count() == 2
