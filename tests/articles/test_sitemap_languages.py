"""Sitemaps in every language, with each page's versions in the others (``xhtml:link``).

The sitemaps are validated with lxml against XML schemas written for these tests from the
published specifications, not copied from the web (tests/articles/schemas/): the sitemaps.org
0.9 protocol's ``urlset`` (sitemap.xsd) and ``sitemapindex`` (siteindex.xsd), and the
``xhtml:link`` element with its ``rel``, ``hreflang`` and ``href`` attributes
(xhtml-link.xsd). Their locations must be ASCII, non-Latin slugs percent-encoded (RFC 3986).
"""

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree, html

from pages.models import Page
from tests.articles import bilingual
from tests.helpers import SITE

SCHEMAS = Path(__file__).parent / "schemas"
SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
NS = {
    "sm": SM,
    "xhtml": "http://www.w3.org/1999/xhtml",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
SECTIONS = ("home", "articles", "news", "regions", "rubrics", "tags", "authors", "pages")


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


@pytest.fixture
def newsroom(make_article, region, rubric):
    return bilingual.build(make_article, region, rubric)


def fetch(client, url: str) -> etree._Element:
    response = client.get(url)
    assert response.status_code == 200, url
    return etree.fromstring(response.content)


def valid(document: etree._Element, xsd: etree.XMLSchema) -> etree._Element:
    assert xsd.validate(document), xsd.error_log
    return document


def entries(client, section: str) -> dict[str, dict[str, str]]:
    """Return the URLs of a sitemap section, each with its alternates (hreflang → href)."""
    document = valid(fetch(client, f"/sitemap-{section}.xml"), schema("sitemap.xsd"))
    return {
        url.findtext("sm:loc", namespaces=NS): {
            link.get("hreflang"): link.get("href")
            for link in url.findall("xhtml:link", namespaces=NS)
        }
        for url in document.findall("sm:url", namespaces=NS)
    }


def page_alternates(client, location: str) -> dict[str, str]:
    """Return the ``<link rel="alternate" hreflang>`` of the page at *location*."""
    response = client.get(urlsplit(location).path)
    assert response.status_code == 200, location
    page = html.fromstring(response.content)
    return {
        link.get("hreflang"): link.get("href")
        for link in page.xpath("//head/link[@rel='alternate'][@hreflang]")
    }


@pytest.mark.django_db
def test_index_and_every_section_validate(client, newsroom):
    index = valid(fetch(client, "/sitemap.xml"), schema("siteindex.xsd"))
    assert index.xpath("//sm:loc/text()", namespaces=NS) == [
        f"{SITE}/sitemap-{section}.xml" for section in SECTIONS
    ]
    for section in SECTIONS:
        entries(client, section)


@pytest.mark.django_db
def test_every_languages_pages_are_listed_and_drafts_nowhere(client, newsroom):
    story_urls = set(entries(client, "articles"))
    assert story_urls == {
        f"{SITE}/articles/almaty-talks/",
        f"{SITE}/ru/articles/peregovory-v-almaty/",
        f"{SITE}/ru/articles/tolko-po-russki/",
        f"{SITE}/articles/water/",
    }
    assert set(entries(client, "home")) == {f"{SITE}/", f"{SITE}/ru/"}
    assert set(entries(client, "regions")) == {
        f"{SITE}/regions/post-soviet-region/",
        f"{SITE}/regions/europe/",
        f"{SITE}/ru/regions/postsovetskoe-prostranstvo/",
    }
    assert set(entries(client, "rubrics")) == {
        f"{SITE}/rubrics/road-sign/",
        f"{SITE}/ru/rubrics/dorozhnyi-znak/",
    }
    # Nino writes in both languages, Ivan in Russian only (his draft makes no English page).
    assert set(entries(client, "authors")) == {
        f"{SITE}/authors/nino/",
        f"{SITE}/ru/authors/nino/",
        f"{SITE}/ru/authors/ivan/",
    }
    # The draft's own tag ("секрет") has no page anywhere.
    assert set(entries(client, "tags")) == {
        f"{SITE}/tags/georgia/",
        f"{SITE}/ru/tags/{bilingual.GEORGIA_RU_URL}/",
    }
    everything = "".join(
        client.get(f"/sitemap-{section}.xml").content.decode() for section in SECTIONS
    )
    for hidden in ("voda", "секрет", "%D1%81%D0%B5%D0%BA", f"{SITE}/authors/ivan/"):
        assert hidden not in everything


@pytest.mark.django_db
def test_alternates_pair_translations_with_x_default(client, newsroom):
    stories = entries(client, "articles")
    pair = {
        "en": f"{SITE}/articles/almaty-talks/",
        "ru": f"{SITE}/ru/articles/peregovory-v-almaty/",
        "x-default": f"{SITE}/articles/almaty-talks/",
    }
    assert stories[f"{SITE}/articles/almaty-talks/"] == pair
    assert stories[f"{SITE}/ru/articles/peregovory-v-almaty/"] == pair
    # A story with no published translation (the Russian one is a draft) names none.
    assert stories[f"{SITE}/articles/water/"] == {}
    assert stories[f"{SITE}/ru/articles/tolko-po-russki/"] == {}
    tags = entries(client, "tags")
    georgia = {
        "en": f"{SITE}/tags/georgia/",
        "ru": f"{SITE}/ru/tags/{bilingual.GEORGIA_RU_URL}/",
        "x-default": f"{SITE}/tags/georgia/",
    }
    assert tags[f"{SITE}/tags/georgia/"] == tags[f"{SITE}/ru/tags/{bilingual.GEORGIA_RU_URL}/"]
    assert tags[f"{SITE}/tags/georgia/"] == georgia
    assert entries(client, "home")[f"{SITE}/ru/"] == {
        "en": f"{SITE}/",
        "ru": f"{SITE}/ru/",
        "x-default": f"{SITE}/",
    }
    assert entries(client, "regions")[f"{SITE}/regions/europe/"] == {}


@pytest.mark.django_db
def test_each_url_names_exactly_the_alternates_its_page_shows(client, newsroom):
    checked = 0
    for section in ("home", "articles", "regions", "rubrics", "tags", "authors"):
        for location, alternates in entries(client, section).items():
            assert page_alternates(client, location) == alternates, location
            checked += bool(alternates)
    assert checked >= 10


@pytest.mark.django_db
def test_unicode_tag_slug_is_percent_encoded_and_leads_to_its_page(client, newsroom):
    location = f"{SITE}/ru/tags/{bilingual.GEORGIA_RU_URL}/"
    assert location in entries(client, "tags")
    assert unquote(location).endswith(f"/ru/tags/{bilingual.GEORGIA_RU}/")
    response = client.get(urlsplit(location).path)
    assert response.status_code == 200
    assert "Только по-русски" in response.content.decode()
    # Story, region and rubric slugs are transliterated: plain ASCII addresses.
    assert newsroom.talks_ru.slug == "peregovory-v-almaty"
    assert newsroom.talks_ru.get_absolute_url().isascii()


@pytest.mark.django_db
def test_news_sitemap_says_each_storys_language(client, newsroom):
    document = valid(fetch(client, "/sitemap-news.xml"), schema("sitemap.xsd"))
    languages = {
        url.findtext("sm:loc", namespaces=NS): url.findtext(
            "news:news/news:publication/news:language", namespaces=NS
        )
        for url in document.findall("sm:url", namespaces=NS)
    }
    assert languages == {
        f"{SITE}/articles/almaty-talks/": "en",
        f"{SITE}/ru/articles/peregovory-v-almaty/": "ru",
        f"{SITE}/ru/articles/tolko-po-russki/": "ru",
        f"{SITE}/articles/water/": "en",
    }


def test_the_schemas_refuse_what_the_protocol_refuses():
    """The schemas are strict enough to catch a raw Unicode slug or a bad xhtml:link."""
    urlset = schema("sitemap.xsd")

    def document(url_body: str) -> etree._Element:
        return etree.fromstring(
            f'<urlset xmlns="{SM}" xmlns:xhtml="{NS["xhtml"]}"><url>{url_body}</url></urlset>'
        )

    good = f'<loc>{SITE}/tags/a/</loc><xhtml:link rel="alternate" hreflang="ru" href="{SITE}/ru/"/>'
    assert urlset.validate(document(good))
    assert not urlset.validate(document(f"<loc>{SITE}/ru/tags/грузия/</loc>"))
    assert not urlset.validate(document(f'<loc>{SITE}/</loc><xhtml:link rel="alternate"/>'))
    assert not urlset.validate(
        document(f'<loc>{SITE}/</loc><xhtml:link rel="next" hreflang="ru" href="{SITE}/"/>')
    )
    assert not urlset.validate(document(f"<lastmod>2024-05-09</lastmod><loc>{SITE}/</loc>"))


@pytest.mark.django_db
def test_pages_in_every_language_with_their_translations(client, newsroom):
    Page.objects.all().delete()  # Those the migrations add.
    privacy = Page.objects.create(title="Privacy", slug="privacy", body="<p>Ours.</p>")
    Page.objects.create(
        title="Конфиденциальность",
        slug="konfidentsialnost",
        body="<p>Наша.</p>",
        language="ru",
        translation_key=privacy.translation_key,
    )
    Page.objects.create(title="Contact", slug="contact", body="<p>Write.</p>")
    pages = entries(client, "pages")
    pair = {
        "en": f"{SITE}/pages/privacy/",
        "ru": f"{SITE}/ru/pages/konfidentsialnost/",
        "x-default": f"{SITE}/pages/privacy/",
    }
    assert pages == {
        f"{SITE}/pages/privacy/": pair,
        f"{SITE}/ru/pages/konfidentsialnost/": pair,
        f"{SITE}/pages/contact/": {},
    }
    for location, alternates in pages.items():
        assert page_alternates(client, location) == alternates, location
