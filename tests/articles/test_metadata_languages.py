"""Sharing metadata in the story's language: JSON-LD ``inLanguage``, ``workTranslation`` and
``translationOfWork`` between published translations, OpenGraph ``og:locale`` and its
alternates; the home page's ``WebSite`` in the page's language."""

import json

import pytest
from lxml import html

from articles.models import Article
from articles.seo import og_locale
from tests.articles import bilingual
from tests.helpers import SITE

TALKS = f"{SITE}/articles/almaty-talks/"
TALKS_RU = f"{SITE}/ru/articles/peregovory-v-almaty/"


@pytest.fixture
def newsroom(make_article, region, rubric):
    return bilingual.build(make_article, region, rubric)


def head(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, path
    return html.fromstring(response.content)


def json_ld(page, kind: str) -> dict:
    (data,) = [
        item
        for script in page.xpath("//script[@type='application/ld+json']")
        if (item := json.loads(script.text))["@type"] == kind
    ]
    return data


def meta(page, name: str) -> list[str]:
    return page.xpath(f"//head/meta[@property='{name}']/@content")


@pytest.mark.django_db
class TestStoryPages:
    def test_original_names_its_published_translations(self, client, newsroom):
        page = head(client, "/articles/almaty-talks/")
        data = json_ld(page, "NewsArticle")
        assert data["inLanguage"] == "en"
        assert data["workTranslation"] == [
            {"@type": "NewsArticle", "@id": TALKS_RU, "url": TALKS_RU, "inLanguage": "ru"}
        ]
        assert "translationOfWork" not in data
        assert meta(page, "og:locale") == ["en_GB"]
        assert meta(page, "og:locale:alternate") == ["ru_RU"]

    def test_translation_names_its_source(self, client, newsroom):
        page = head(client, "/ru/articles/peregovory-v-almaty/")
        data = json_ld(page, "NewsArticle")
        assert data["inLanguage"] == "ru"
        assert data["translationOfWork"] == {
            "@type": "NewsArticle",
            "@id": TALKS,
            "url": TALKS,
            "inLanguage": "en",
        }
        assert "workTranslation" not in data
        assert meta(page, "og:locale") == ["ru_RU"]
        assert meta(page, "og:locale:alternate") == ["en_GB"]
        # The publisher and breadcrumbs lead to the Russian home page.
        assert data["publisher"]["url"] == f"{SITE}/ru/"
        assert json_ld(page, "BreadcrumbList")["itemListElement"][0]["item"] == f"{SITE}/ru/"

    def test_draft_translation_is_named_nowhere(self, client, newsroom):
        page = head(client, "/articles/water/")
        data = json_ld(page, "NewsArticle")
        assert "workTranslation" not in data
        assert meta(page, "og:locale:alternate") == []
        assert "voda" not in html.tostring(page, encoding="unicode")

    def test_russian_original_has_no_translation_links(self, client, newsroom):
        page = head(client, "/ru/articles/tolko-po-russki/")
        data = json_ld(page, "NewsArticle")
        assert data["inLanguage"] == "ru"
        assert "workTranslation" not in data and "translationOfWork" not in data
        assert meta(page, "og:locale") == ["ru_RU"]

    @pytest.mark.usefixtures("no_page_cache")
    def test_unpublished_source_is_not_named(self, client, newsroom):
        Article.objects.filter(pk=newsroom.talks.pk).update(status=Article.Status.DRAFT)
        page = head(client, "/ru/articles/peregovory-v-almaty/")
        data = json_ld(page, "NewsArticle")
        assert "translationOfWork" not in data
        assert meta(page, "og:locale:alternate") == []


@pytest.mark.django_db
class TestHomePages:
    def test_website_in_the_pages_language(self, client, newsroom):
        data = json_ld(head(client, "/ru/"), "WebSite")
        assert data["inLanguage"] == "ru"
        assert data["url"] == f"{SITE}/ru/"
        target = data["potentialAction"]["target"]["urlTemplate"]
        assert target == f"{SITE}/ru/search/?q={{search_term_string}}"
        data = json_ld(head(client, "/"), "WebSite")
        assert data["inLanguage"] == "en"
        assert data["potentialAction"]["target"]["urlTemplate"] == (
            f"{SITE}/search/?q={{search_term_string}}"
        )

    @pytest.mark.parametrize(
        "path",
        [
            f"/ru/tags/{bilingual.GEORGIA_RU_URL}/",
            "/ru/authors/nino/",
            "/ru/regions/postsovetskoe-prostranstvo/",
            "/authors/nino/",
        ],
    )
    def test_list_pages_are_their_own_canonical(self, client, newsroom, path):
        page = head(client, path)
        assert page.xpath("//head/link[@rel='canonical']/@href") == [f"{SITE}{path}"]
        assert meta(page, "og:url") == [f"{SITE}{path}"]
        crumbs = json_ld(page, "BreadcrumbList")["itemListElement"]
        assert crumbs[-1]["item"] == f"{SITE}{path}"

    def test_og_locale_of_list_pages(self, client, newsroom):
        page = head(client, "/ru/")
        assert meta(page, "og:locale") == ["ru_RU"]
        assert meta(page, "og:locale:alternate") == ["en_GB"]
        page = head(client, "/ru/authors/ivan/")
        assert meta(page, "og:locale") == ["ru_RU"]
        assert meta(page, "og:locale:alternate") == []
        page = head(client, f"/ru/tags/{bilingual.GEORGIA_RU_URL}/")
        assert meta(page, "og:locale:alternate") == ["en_GB"]


@pytest.mark.parametrize(
    ("language", "locale"),
    [("en", "en_GB"), ("ru", "ru_RU"), ("ka", "ka_GE"), ("pt-br", "pt_BR"), ("lv", "lv_LV")],
)
def test_og_locale_mapping(language, locale):
    assert og_locale(language) == locale
