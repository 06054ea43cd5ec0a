"""Feeds per language: each language's feeds under its prefix list its stories only, say
their language (RSS ``<language>``, Atom ``xml:lang``) and speak it; pages advertise their
own language's feeds. Drafts (the draft translation) appear in none."""

from urllib.parse import quote
from xml.etree import ElementTree

import feedparser
import pytest
from lxml import html

from tests.articles import bilingual
from tests.helpers import SITE

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def newsroom(make_article, region, rubric):
    return bilingual.build(make_article, region, rubric)


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return response, feed


def links(feed) -> list[str]:
    return [entry.link for entry in feed.entries]


@pytest.mark.django_db
class TestSiteFeeds:
    def test_default_languages_feed_lists_its_stories_only(self, client, newsroom):
        response, feed = read(client, "/feed/")
        assert feed.feed.language == "en"
        assert links(feed) == [f"{SITE}/articles/almaty-talks/", f"{SITE}/articles/water/"]
        assert feed.feed.link == f"{SITE}/"

    def test_russian_feed_lists_russian_stories_in_russian(self, client, newsroom):
        response, feed = read(client, "/ru/feed/")
        assert ElementTree.fromstring(response.content).findtext("channel/language") == "ru"
        assert response["Content-Language"] == "ru"
        assert links(feed) == [
            f"{SITE}/ru/articles/peregovory-v-almaty/",
            f"{SITE}/ru/articles/tolko-po-russki/",
        ]
        assert [entry.title for entry in feed.entries] == [
            "Переговоры в Алматы",
            "Только по-русски",
        ]
        assert feed.feed.link == f"{SITE}/ru/"
        assert feed.feed.description.startswith("Аналитика и новости")
        # Its categories are the Russian region's and rubric's names.
        assert {"Постсоветское пространство", "Дорожный знак"} <= {
            tag.term for tag in feed.entries[0].tags
        }

    def test_atom_feed_says_its_language(self, client, newsroom):
        response, feed = read(client, "/ru/feed/atom/")
        assert ElementTree.fromstring(response.content).get(XML_LANG) == "ru"
        assert links(feed)[0] == f"{SITE}/ru/articles/peregovory-v-almaty/"
        assert feed.feed.subtitle.startswith("Аналитика и новости")
        response, _feed = read(client, "/feed/atom/")
        assert ElementTree.fromstring(response.content).get(XML_LANG) == "en"

    def test_draft_translation_is_in_no_feed(self, client, newsroom):
        for url in ("/feed/", "/feed/atom/", "/ru/feed/", "/ru/feed/atom/"):
            content = client.get(url).content.decode()
            assert "Вода" not in content and "voda" not in content


@pytest.mark.django_db
class TestTaxonomyFeeds:
    def test_region_feed_in_each_language(self, client, newsroom):
        _response, feed = read(client, "/ru/regions/postsovetskoe-prostranstvo/feed/")
        assert feed.feed.title == "Постсоветское пространство · Newsroom"
        assert feed.feed.language == "ru"
        assert links(feed) == [
            f"{SITE}/ru/articles/peregovory-v-almaty/",
            f"{SITE}/ru/articles/tolko-po-russki/",
        ]
        _response, feed = read(client, "/regions/post-soviet-region/feed/atom/")
        assert links(feed) == [f"{SITE}/articles/almaty-talks/"]
        # A region's slug is of its own language: the English one has no Russian feed.
        assert client.get("/ru/regions/post-soviet-region/feed/").status_code == 404

    def test_rubric_feed_in_each_language(self, client, newsroom):
        _response, feed = read(client, "/ru/rubrics/dorozhnyi-znak/feed/")
        assert len(feed.entries) == 2
        _response, feed = read(client, "/rubrics/road-sign/feed/")
        assert links(feed) == [f"{SITE}/articles/almaty-talks/", f"{SITE}/articles/water/"]

    def test_unicode_tag_feed_is_reached_and_named_percent_encoded(self, client, newsroom):
        path = f"/ru/tags/{bilingual.GEORGIA_RU_URL}/feed/"
        assert path == f"/ru/tags/{quote(bilingual.GEORGIA_RU)}/feed/"
        response, feed = read(client, path)
        assert feed.feed.language == "ru"
        assert links(feed) == [
            f"{SITE}/ru/articles/peregovory-v-almaty/",
            f"{SITE}/ru/articles/tolko-po-russki/",
        ]
        # Every address in the feed is ASCII: the slug percent-encoded.
        root = ElementTree.fromstring(response.content)
        assert root.findtext("channel/link") == f"{SITE}/ru/tags/{bilingual.GEORGIA_RU_URL}/"
        assert all(link.isascii() for link in links(feed))
        # No English story carries it: no English feed.
        assert client.get(f"/tags/{bilingual.GEORGIA_RU_URL}/feed/").status_code == 404
        _response, feed = read(client, "/tags/georgia/feed/")
        assert links(feed) == [f"{SITE}/articles/almaty-talks/"]

    def test_author_feed_per_language(self, client, newsroom):
        _response, feed = read(client, "/ru/authors/nino/feed/")
        assert links(feed) == [f"{SITE}/ru/articles/peregovory-v-almaty/"]
        _response, feed = read(client, "/authors/nino/feed/")
        assert links(feed) == [f"{SITE}/articles/almaty-talks/", f"{SITE}/articles/water/"]
        # Ivan's only English work is a draft: he has no English page, hence no feed.
        assert client.get("/authors/ivan/feed/").status_code == 404
        assert client.get("/ru/authors/ivan/feed/").status_code == 200

    def test_draft_translations_tag_has_no_feed(self, client, newsroom):
        assert client.get(f"/ru/tags/{quote('секрет')}/feed/").status_code == 404


def advertised_feeds(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    page = html.fromstring(response.content)
    return page.xpath(
        "//head/link[@rel='alternate'][@type='application/rss+xml' or "
        "@type='application/atom+xml']/@href"
    )


@pytest.mark.django_db
class TestFeedLinksInPages:
    def test_russian_pages_advertise_russian_feeds(self, client, newsroom):
        assert advertised_feeds(client, "/ru/") == ["/ru/feed/", "/ru/feed/atom/"]
        assert advertised_feeds(client, "/ru/articles/peregovory-v-almaty/") == [
            "/ru/feed/",
            "/ru/feed/atom/",
        ]
        assert advertised_feeds(client, "/ru/regions/postsovetskoe-prostranstvo/") == [
            "/ru/regions/postsovetskoe-prostranstvo/feed/",
            "/ru/regions/postsovetskoe-prostranstvo/feed/atom/",
            "/ru/feed/",
            "/ru/feed/atom/",
        ]
        tag = f"/ru/tags/{bilingual.GEORGIA_RU_URL}/"
        assert advertised_feeds(client, tag)[:2] == [f"{tag}feed/", f"{tag}feed/atom/"]

    def test_default_language_pages_keep_their_feeds(self, client, newsroom):
        assert advertised_feeds(client, "/") == ["/feed/", "/feed/atom/"]
        assert advertised_feeds(client, "/authors/nino/")[:2] == [
            "/authors/nino/feed/",
            "/authors/nino/feed/atom/",
        ]

    def test_every_advertised_feed_answers(self, client, newsroom):
        for page in ("/ru/", f"/ru/tags/{bilingual.GEORGIA_RU_URL}/", "/ru/authors/nino/"):
            for href in advertised_feeds(client, page):
                read(client, href)
