"""RSS and Atom feeds, read back by a real feed reader's parser."""

import re
from datetime import timedelta
from unittest import mock
from xml.etree import ElementTree

import feedparser
import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.feeds import CONTENT_NAMESPACE, FEED_SIZE
from articles.models import Article, Author, Region, Rubric
from articles.seo import article_modified_at, og_image_path
from images.rendering import rendition_url
from tests.helpers import SITE

FEEDS = [("articles-feed", "rss20"), ("articles-feed-atom", "atom10")]


def read_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return response, feed


def raw_contents(response) -> list[str]:
    """Return the full-story HTML of each entry as sent, before a feed reader rewrites it.

    feedparser completes relative links against the feed's address: only the raw feed shows
    whether the site sent absolute ones.
    """
    root = ElementTree.fromstring(response.content)
    tag = (
        f"{{{CONTENT_NAMESPACE}}}encoded"
        if root.tag == "rss"
        else "{http://www.w3.org/2005/Atom}content"
    )
    return [element.text or "" for element in root.iter(tag)]


@pytest.fixture
def rich_article(make_article, make_image):
    """A story with two authors, tags, a correction and a 1200x630 sharing image on disk."""
    ana = Author.objects.create(name="Ana Beridze", slug="ana-beridze")
    timur = Author.objects.create(name="Timur Sadykov", slug="timur-sadykov")
    article = make_article(
        title="Talks in Almaty",
        slug="talks-in-almaty",
        teaser="Foreign ministers meet on neutral ground.",
        body="<p>The ministers <strong>met</strong> for the first time.</p>",
        tags=["diplomacy", "peace talks"],
        authors=[ana, timur],
        publish_at=timezone.now() - timedelta(minutes=5),
        lead_image=make_image(size=(1600, 900), alt_text="Two ministers at a table"),
    )
    Article.objects.filter(pk=article.pk).update(
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
        # The lead image's og crop (1200 x 630), not the upload or another rendition.
        og_path = og_image_path(rich_article)
        assert og_path == rich_article.lead_image.renditions["og-1200.jpg"]
        (enclosure,) = entry.enclosures
        assert enclosure.href == f"{SITE}{default_storage.url(og_path)}"
        assert enclosure.length == str(default_storage.size(og_path))
        assert int(enclosure.length) > 1000
        assert enclosure.type == "image/jpeg"

    def test_each_picture_size_is_asked_of_the_storage_once(self, client, rich_article):
        """On object storage each size is a request; feeds are read far more than written."""
        with mock.patch.object(default_storage, "size", wraps=default_storage.size) as size:
            for url_name, _ in FEEDS:
                read_feed(client, reverse(url_name))
                read_feed(client, reverse(url_name))
        assert size.call_count == 1

    def test_missing_image_file_gives_no_enclosure_and_a_valid_feed(
        self, client, make_article, make_image
    ):
        article = make_article(title="Picture lost", lead_image=make_image())
        default_storage.delete(og_image_path(article))
        for url_name, _ in FEEDS:
            _, feed = read_feed(client, reverse(url_name))
            assert feed.entries[0].get("enclosures", []) == []

    @pytest.mark.parametrize("url_name", ["articles-feed", "articles-feed-atom"])
    def test_figures_in_the_text_reach_feed_readers_with_absolute_image_urls(
        self, client, make_article, make_image, url_name
    ):
        figure = make_image(alt_text="The harbour at dawn", caption="Baku", credit="Ana B.")
        first, second = make_image(alt_text="A ferry"), make_image(alt_text="A crane")
        make_article(
            body=(
                "<p>Before the pictures.</p>"
                f'<figure data-image="{figure.pk}" data-size="wide"></figure>'
                f'<figure data-gallery="{first.pk} {second.pk}"></figure>'
            )
        )
        response, feed = read_feed(client, reverse(url_name))

        (content,) = raw_contents(response)
        sources = re.findall(r'<img[^>]* src="([^"]*)"', content)
        assert sources == [
            f"{SITE}{rendition_url(image, 'full', 1024)}" for image in (figure, first, second)
        ]
        assert all(source.startswith(f"{SITE}/media/images/") for source in sources)
        assert 'alt="The harbour at dawn"' in content
        assert "<figcaption>Baku Ana B.</figcaption>" in content
        assert "data-image" not in content and "data-gallery" not in content
        # What a reader's app shows: the same pictures.
        shown = feed.entries[0].content[0].value
        assert all(source in shown for source in sources)

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

    def test_figures_in_the_text_add_one_query_however_many_stories(
        self, client, make_article, make_image
    ):
        pictures = [make_image(), make_image()]
        body = "".join(f'<figure data-image="{picture.pk}"></figure>' for picture in pictures)

        def add_stories(count):
            for _ in range(count):
                make_article(body=f"<p>Text.</p>{body}")

        add_stories(5)
        with CaptureQueriesContext(connection) as few:
            read_feed(client, "/feed/")
        add_stories(55)
        with CaptureQueriesContext(connection) as many:
            response, _ = read_feed(client, "/feed/")
        # Stories, their tags, their authors, and the images of every figure at once.
        assert len(few) == len(many) == 4
        assert all(SITE in content for content in raw_contents(response))
