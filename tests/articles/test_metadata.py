"""Sharing metadata: title, description, canonical, OpenGraph, Twitter card, JSON-LD, feeds."""

import json
from datetime import datetime
from html.parser import HTMLParser

import pytest
from django.core.files.storage import default_storage

from articles.models import Author
from articles.seo import article_modified_at
from tests.helpers import SITE


class HeadParser(HTMLParser):
    """Collect <title>, <meta>, <link> and JSON-LD blocks of a page."""

    def __init__(self):
        super().__init__()
        self.title = ""
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict[str, str]] = []
        self.json_ld: list[dict] = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            key = attrs.get("property") or attrs.get("name")
            self.meta.setdefault(key, []).append(attrs.get("content", ""))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "title":
            self._in = "title"
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in = "json_ld"

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "json_ld":
            self.json_ld.append(json.loads(data))


def head_of(client, url) -> HeadParser:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = HeadParser()
    parser.feed(response.content.decode())
    return parser


def one(head, key) -> str:
    (value,) = head.meta[key]
    return value


def ld_of_type(head, kind) -> dict:
    (item,) = [item for item in head.json_ld if item["@type"] == kind]
    return item


def alternates(head) -> list[tuple[str, str]]:
    """Return the page's feeds: the alternates with a type (the others are its languages)."""
    return [
        (link["type"], link["href"])
        for link in head.links
        if link.get("rel") == "alternate" and "type" in link
    ]


def media_url(image, crop: str) -> str:
    """Return the absolute URL of the one JPEG of *crop* ("og", "share-4x3") of *image*.

    Its key is "<crop>-<width>.jpg"; the width is the file's own, never an upscale.
    """
    (name,) = [
        name
        for key, name in image.renditions.items()
        if key.startswith(f"{crop}-") and key.endswith(".jpg")
    ]
    return SITE + default_storage.url(name)


@pytest.fixture
def story(make_article, make_image):
    writers = [
        Author.objects.create(name="Ana Beridze", slug="ana"),
        Author.objects.create(name="Timur Sadykov", slug="timur"),
    ]
    # Wide enough for every share crop at its full 1200 px.
    picture = make_image(size=(1600, 900), alt_text="Two ministers shaking hands")
    return make_article(
        title="Talks in Almaty",
        slug="talks-in-almaty",
        teaser='Ministers meet on "neutral" ground.',
        tags=["diplomacy", "peace"],
        authors=writers,
        lead_image=picture,
    )


@pytest.mark.django_db
class TestStoryMetadata:
    def test_title_description_and_canonical(self, client, story):
        head = head_of(client, "/articles/talks-in-almaty/?utm_source=newsletter")
        assert head.title == "Talks in Almaty · Newsroom"
        assert one(head, "description") == 'Ministers meet on "neutral" ground.'
        (canonical,) = [link["href"] for link in head.links if link.get("rel") == "canonical"]
        assert canonical == f"{SITE}/articles/talks-in-almaty/"

    def test_opengraph_and_twitter_card(self, client, story):
        head = head_of(client, "/articles/talks-in-almaty/")
        assert one(head, "og:type") == "article"
        assert one(head, "og:title") == "Talks in Almaty"
        assert one(head, "og:description") == 'Ministers meet on "neutral" ground.'
        # The og crop of the lead image: 1200 x 630, cut around its focal point.
        assert one(head, "og:image") == media_url(story.lead_image, "og")
        assert one(head, "og:image").startswith(f"{SITE}/media/")
        assert "og-1200.jpg" in story.lead_image.renditions
        assert (one(head, "og:image:width"), one(head, "og:image:height")) == ("1200", "630")
        assert one(head, "og:image:alt") == "Two ministers shaking hands"
        published = datetime.fromisoformat(one(head, "article:published_time"))
        assert published == story.publish_at.replace(microsecond=0)
        modified = datetime.fromisoformat(one(head, "article:modified_time"))
        assert modified == article_modified_at(story).replace(microsecond=0)
        assert one(head, "article:section") == "Road sign"
        assert sorted(head.meta["article:tag"]) == ["diplomacy", "peace"]
        assert one(head, "twitter:card") == "summary_large_image"

    def test_news_article_json_ld(self, client, story):
        head = head_of(client, "/articles/talks-in-almaty/")
        data = ld_of_type(head, "NewsArticle")
        assert data["@context"] == "https://schema.org"
        assert data["headline"] == "Talks in Almaty"
        assert data["description"] == 'Ministers meet on "neutral" ground.'
        # Google's 16:9, 4:3 and 1:1 versions, absolute on the site's origin.
        assert data["image"] == [
            media_url(story.lead_image, "share-16x9"),
            media_url(story.lead_image, "share-4x3"),
            media_url(story.lead_image, "share-1x1"),
        ]
        published = datetime.fromisoformat(data["datePublished"])
        assert published == story.publish_at.replace(microsecond=0)
        assert data["dateModified"] >= data["datePublished"]
        assert [author["name"] for author in data["author"]] == ["Ana Beridze", "Timur Sadykov"]
        assert data["author"][0]["url"] == f"{SITE}/authors/ana/"
        assert data["publisher"]["name"] == "Newsroom"
        assert data["publisher"]["logo"]["url"].startswith(f"{SITE}/static/")
        assert data["articleSection"] == "Road sign"
        assert sorted(data["keywords"]) == ["diplomacy", "peace"]
        assert data["mainEntityOfPage"]["@id"] == f"{SITE}/articles/talks-in-almaty/"

    def test_breadcrumb_goes_home_region_story(self, client, story):
        head = head_of(client, "/articles/talks-in-almaty/")
        crumbs = ld_of_type(head, "BreadcrumbList")["itemListElement"]
        assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
            (1, "Newsroom", f"{SITE}/"),
            (2, "Post-Soviet region", f"{SITE}/regions/post-soviet-region/"),
            (3, "Talks in Almaty", f"{SITE}/articles/talks-in-almaty/"),
        ]

    def test_story_without_image_shares_the_site_image(self, client, published_article):
        head = head_of(client, published_article.get_absolute_url())
        assert one(head, "og:image").startswith(f"{SITE}/static/img/share-default")
        assert ld_of_type(head, "NewsArticle")["image"][0] == one(head, "og:image")

    def test_a_small_lead_image_shares_its_og_crop_without_claiming_the_card_size(
        self, client, make_article, make_image
    ):
        picture = make_image(size=(320, 200), alt_text="A small harbour")
        article = make_article(lead_image=picture)
        head = head_of(client, article.get_absolute_url())
        assert one(head, "og:image") == media_url(picture, "og")
        assert "og:image:width" not in head.meta and "og:image:height" not in head.meta
        assert one(head, "og:image:alt") == "A small harbour"
        assert ld_of_type(head, "NewsArticle")["image"] == [
            media_url(picture, "share-16x9"),
            media_url(picture, "share-4x3"),
            media_url(picture, "share-1x1"),
        ]

    def test_json_ld_cannot_be_broken_out_of(self, client, make_article):
        title = "</script><script>alert('ld')</script> & <!--"
        article = make_article(title=title, slug="hostile", teaser="</SCRIPT> teaser")
        response = client.get(article.get_absolute_url())
        html = response.content.decode()
        assert "<script>alert('ld')" not in html
        assert "</SCRIPT> teaser" not in html
        head = HeadParser()
        head.feed(html)
        data = ld_of_type(head, "NewsArticle")
        assert data["headline"] == title
        assert data["description"] == "</SCRIPT> teaser"

    def test_story_page_advertises_the_site_feeds(self, client, story):
        head = head_of(client, "/articles/talks-in-almaty/")
        assert ("application/rss+xml", "/feed/") in alternates(head)
        assert ("application/atom+xml", "/feed/atom/") in alternates(head)


@pytest.mark.django_db
class TestHomeMetadata:
    def test_home_has_website_with_search_action(self, client, published_article):
        head = head_of(client, "/?utm_campaign=x")
        (canonical,) = [link["href"] for link in head.links if link.get("rel") == "canonical"]
        assert canonical == f"{SITE}/"
        assert one(head, "og:type") == "website"
        assert one(head, "description")
        site = ld_of_type(head, "WebSite")
        assert site["url"] == f"{SITE}/"
        action = site["potentialAction"]
        assert action["@type"] == "SearchAction"
        assert action["target"]["urlTemplate"] == (f"{SITE}/search/?q={{search_term_string}}")
        assert action["query-input"] == "required name=search_term_string"
        assert ("application/rss+xml", "/feed/") in alternates(head)


@pytest.mark.django_db
class TestListMetadata:
    def test_canonical_keeps_only_page_numbers_past_one(self, client, make_article, region):
        for _ in range(21):
            make_article()
        url = region.get_absolute_url()

        def canonical(query):
            head = head_of(client, url + query)
            (href,) = [link["href"] for link in head.links if link.get("rel") == "canonical"]
            return href

        assert canonical("") == f"{SITE}/regions/post-soviet-region/"
        assert canonical("?page=1&utm=x") == f"{SITE}/regions/post-soviet-region/"
        assert canonical("?page=2&utm=x") == f"{SITE}/regions/post-soviet-region/?page=2"

    def test_list_page_advertises_its_own_feeds_and_the_sites(self, client, published_article):
        head = head_of(client, "/regions/post-soviet-region/")
        assert alternates(head) == [
            ("application/rss+xml", "/regions/post-soviet-region/feed/"),
            ("application/atom+xml", "/regions/post-soviet-region/feed/atom/"),
            ("application/rss+xml", "/feed/"),
            ("application/atom+xml", "/feed/atom/"),
        ]
        titles = [link["title"] for link in head.links if link.get("rel") == "alternate"]
        assert titles[0] == "Post-Soviet region · Newsroom (RSS)"

    @pytest.mark.parametrize("kind", ["rubrics/road-sign", "tags/diplomacy", "authors/zara"])
    def test_every_list_page_has_a_feed_and_breadcrumb(self, client, make_article, kind):
        zara = Author.objects.create(name="Zara", slug="zara", bio="Writes on water.")
        make_article(tags=["diplomacy"], authors=[zara])
        head = head_of(client, f"/{kind}/")
        assert ("application/rss+xml", f"/{kind}/feed/") in alternates(head)
        crumbs = ld_of_type(head, "BreadcrumbList")["itemListElement"]
        assert crumbs[-1]["item"] == f"{SITE}/{kind}/"
        if kind.startswith("authors"):
            assert one(head, "description") == "Writes on water."

    def test_search_page_advertises_feeds_and_is_noindex(self, client, db):
        head = head_of(client, "/search/?q=x")
        assert ("application/rss+xml", "/feed/") in alternates(head)
        assert head.meta["robots"][0].startswith("noindex")
