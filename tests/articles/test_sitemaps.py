"""Sitemaps and robots.txt, checked against the sitemap protocol's structure."""

from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Author, Region, Rubric
from articles.sitemaps import ArticleSitemap
from tests.helpers import SITE

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"sm": SITEMAP_NS, "news": NEWS_NS}


def fetch_xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content)


def index_locations(client) -> list[str]:
    root = fetch_xml(client, "/sitemap.xml")
    assert root.tag == f"{{{SITEMAP_NS}}}sitemapindex"
    for child in root:
        assert child.tag == f"{{{SITEMAP_NS}}}sitemap"
        assert child.find("sm:loc", NS) is not None
    return [loc.text for loc in root.findall("sm:sitemap/sm:loc", NS)]


def urlset(client, url) -> list[ElementTree.Element]:
    root = fetch_xml(client, url)
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    for child in root:
        assert child.tag == f"{{{SITEMAP_NS}}}url"
        assert child.find("sm:loc", NS).text.startswith(f"{SITE}/")
    return root.findall("sm:url", NS)


def locations(client, url) -> list[str]:
    return [node.find("sm:loc", NS).text for node in urlset(client, url)]


@pytest.mark.django_db
class TestSitemapIndex:
    def test_index_lists_every_section(self, client, published_article):
        assert index_locations(client) == [
            f"{SITE}/sitemap-home.xml",
            f"{SITE}/sitemap-articles.xml",
            f"{SITE}/sitemap-news.xml",
            f"{SITE}/sitemap-regions.xml",
            f"{SITE}/sitemap-rubrics.xml",
            f"{SITE}/sitemap-tags.xml",
            f"{SITE}/sitemap-authors.xml",
            f"{SITE}/sitemap-pages.xml",
        ]

    def test_index_is_paginated_past_the_limit(self, client, make_article, monkeypatch):
        monkeypatch.setattr(ArticleSitemap, "limit", 2)
        for _ in range(5):
            make_article()
        stories = [loc for loc in index_locations(client) if "sitemap-articles" in loc]
        assert stories == [
            f"{SITE}/sitemap-articles.xml",
            f"{SITE}/sitemap-articles.xml?p=2",
            f"{SITE}/sitemap-articles.xml?p=3",
        ]
        assert len(locations(client, "/sitemap-articles.xml?p=3")) == 1
        assert client.get("/sitemap-articles.xml?p=4").status_code == 404

    def test_unknown_section_is_404(self, client, db):
        assert client.get("/sitemap-secrets.xml").status_code == 404


@pytest.mark.django_db
class TestSections:
    def test_stories_have_lastmod_and_only_public_ones_appear(self, client, make_article):
        public = make_article(title="Public", slug="public")
        make_article(slug="draft", status=Article.Status.DRAFT)
        make_article(slug="review", status=Article.Status.REVIEW)
        make_article(slug="later", publish_at=timezone.now() + timedelta(days=1))
        (node,) = urlset(client, "/sitemap-articles.xml")
        assert node.find("sm:loc", NS).text == f"{SITE}/articles/public/"
        lastmod = datetime.fromisoformat(node.find("sm:lastmod", NS).text)
        assert lastmod >= public.publish_at.replace(microsecond=0)

    def test_taxonomy_sections(self, client, make_article, region, rubric):
        writer = Author.objects.create(name="Aigerim N.", slug="aigerim")
        Author.objects.create(name="Never published", slug="nobody")
        Region.objects.create(name="Europe", slug="europe", position=9)
        Rubric.objects.create(name="Social", slug="social")
        make_article(tags=["water", "energy"], authors=[writer])
        make_article(tags=["hidden-tag"], status=Article.Status.DRAFT)
        assert locations(client, "/sitemap-regions.xml") == [
            f"{SITE}/regions/post-soviet-region/",
            f"{SITE}/regions/europe/",
        ]
        assert locations(client, "/sitemap-rubrics.xml") == [
            f"{SITE}/rubrics/road-sign/",
            f"{SITE}/rubrics/social/",
        ]
        assert locations(client, "/sitemap-tags.xml") == [
            f"{SITE}/tags/energy/",
            f"{SITE}/tags/water/",
        ]
        assert locations(client, "/sitemap-authors.xml") == [f"{SITE}/authors/aigerim/"]


@pytest.mark.django_db
class TestNewsSitemap:
    def test_news_sitemap_lists_the_last_48_hours(self, client, make_article):
        fresh = make_article(
            title="Breaking: <ceasefire> & talks",
            slug="breaking",
            publish_at=timezone.now() - timedelta(hours=3),
        )
        make_article(slug="old", publish_at=timezone.now() - timedelta(hours=49))
        make_article(slug="draft", status=Article.Status.DRAFT)
        response = client.get("/sitemap-news.xml")
        root = ElementTree.fromstring(response.content)
        assert root.tag == f"{{{SITEMAP_NS}}}urlset"
        (node,) = root.findall("sm:url", NS)
        assert node.find("sm:loc", NS).text == f"{SITE}/articles/breaking/"
        news = node.find("news:news", NS)
        assert news.find("news:publication/news:name", NS).text == "Newsroom"
        assert news.find("news:publication/news:language", NS).text == "en"
        assert news.find("news:title", NS).text == "Breaking: <ceasefire> & talks"
        published = datetime.fromisoformat(news.find("news:publication_date", NS).text)
        assert published == fresh.publish_at.replace(microsecond=0)


@pytest.mark.django_db
@pytest.mark.usefixtures("no_page_cache")
class TestSitemapQueryCount:
    @pytest.mark.parametrize(
        "url",
        [
            "/sitemap.xml",
            "/sitemap-articles.xml",
            "/sitemap-news.xml",
            "/sitemap-tags.xml",
            "/sitemap-authors.xml",
        ],
    )
    def test_query_count_is_fixed(self, client, make_article, url):
        writers = [Author.objects.create(name=f"W{n}", slug=f"w{n}") for n in range(3)]

        def add(count):
            for _ in range(count):
                article = make_article(tags=["a", "b"], authors=writers)
                Article.objects.filter(pk=article.pk).update(
                    publish_at=timezone.now() - timedelta(hours=1)
                )

        add(5)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        add(55)
        with CaptureQueriesContext(connection) as many:
            response = client.get(url)
        assert response.status_code == 200
        # The index: a COUNT per section (7; the home pages' section is a list) and the
        # stories' latest change; a section page: COUNT, one page of rows, and its URLs'
        # alternates in other languages (one query).
        expected = 8 if url == "/sitemap.xml" else 3
        assert len(few) == len(many) == expected


@pytest.mark.django_db
class TestRobots:
    def test_robots_points_at_the_sitemaps_and_keeps_crawlers_out(self, client):
        response = client.get("/robots.txt")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        lines = response.content.decode().splitlines()
        assert "User-agent: *" in lines
        for path in ("/admin/", "/search/", "/preview/"):
            assert f"Disallow: {path}" in lines
        assert f"Sitemap: {SITE}/sitemap.xml" in lines
        assert f"Sitemap: {SITE}/sitemap-news.xml" in lines


@pytest.mark.django_db
def test_story_locations_are_the_story_urls(client, make_article):
    stories = [make_article(slug=f"story-{n}-x") for n in range(3)]
    expected = {f"{SITE}{story.get_absolute_url()}" for story in stories}
    assert set(locations(client, "/sitemap-articles.xml")) == expected
    assert set(locations(client, "/sitemap-news.xml")) == expected
