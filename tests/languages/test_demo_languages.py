"""The demo newsroom read as a reader and a crawler read it, in English and in Russian.

``seed_demo`` (without pictures) runs once for the module, in a transaction rolled back at
its end. From ``/`` and ``/ru/`` (and each language's search page) the test client follows
the site's own links to the home, story, region, rubric, tag, author and simple pages, a few
of each kind in each language, and every page found is checked:

- its ``<link rel="alternate" hreflang>`` name pages that answer 200 in that language and
  name it back (``x-default`` is the default language's version);
- its language switcher leads to a page in the other language;
- a Russian page shows no English words outside what editors and readers wrote (titles,
  teasers, bodies, names, reviews);
- a sample in both languages is valid HTML (the Nu HTML Checker; axe runs in
  ``tests/e2e/test_languages_accessibility.py``).
"""

import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import translation
from taggit.models import Tag

from articles import translations
from articles.demo import content_ru
from articles.models import Article, Author, Region, Rubric
from images.models import Image
from pages.models import Page
from readership.models import StoryReads
from reviews.models import Review
from tests.html_checker import errors_of
from tests.languages.crawl import read, site_path

# Seeding the demo takes about half a minute and the crawl, with the HTML checker, as long
# again; nothing here depends on the database engine: run once (on SQLite in CI, beside
# PostgreSQL's run).
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.any_database]

DEFAULT = settings.LANGUAGE_CODE
RUSSIAN = "ru"
# The kinds of page crawled (their URL names), and how many of each per language.
KINDS = (
    "articles:home",
    "articles:detail",
    "articles:region",
    "articles:rubric",
    "articles:tag",
    "articles:author",
    "pages:detail",
    "search",
)
PER_KIND = 8
STARTS = ("/", "/search/?q=gas", "/ru/", "/ru/search/?q=газ")
# Latin-letter words a Russian page may show: the site's name, the feed format's, and the
# services the share links name.
ALLOWED_LATIN = {"Newsroom", "RSS", "Facebook", "Telegram", "WhatsApp"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
# Editors' text that has no language of its own yet: an author's bio is one text, shown on
# their page in every language.
UNTRANSLATABLE = {"author-card__bio"}
# What editors wrote inside a page's main text (story and page bodies, lead pictures).
CONTENT_CLASSES = {"story__body", "page__body", "story__figure"}


@dataclass
class Fetched:
    path: str
    status: int
    html: str

    @property
    def page(self):
        return read(self.html)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Seed the demo once for the module; roll it back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--no-images", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


class Site:
    """The demo site through the test client, each address fetched once."""

    def __init__(self):
        self.client = Client()
        self.fetched: dict[str, Fetched] = {}

    def get(self, path: str) -> Fetched:
        if path not in self.fetched:
            response = self.client.get(path)
            html = response.content.decode() if "html" in response.get("Content-Type", "") else ""
            self.fetched[path] = Fetched(path, response.status_code, html)
        return self.fetched[path]


def language_of(path: str) -> str:
    return RUSSIAN if path == "/ru/" or path.startswith("/ru/") else DEFAULT


def kind_of(path: str) -> str | None:
    # The language prefix resolves under its own language only, as in a request.
    with translation.override(language_of(path)):
        try:
            return resolve(path.split("?", 1)[0]).view_name
        except Resolver404:
            return None


@pytest.fixture(scope="module")
def site(demo) -> Site:
    return Site()


@pytest.fixture(scope="module")
def crawled(site) -> dict[str, Fetched]:
    """Crawl each language's pages from its home and search pages, PER_KIND of each kind."""
    queue = list(STARTS)
    taken = Counter((language_of(path), kind_of(path)) for path in queue)
    seen, pages = set(queue), {}
    while queue:
        path = queue.pop(0)
        fetched = site.get(path)
        assert fetched.status == 200, path
        pages[path] = fetched
        for href in fetched.page.links:
            link = site_path(href, settings.SITE_URL)
            if link is None or "?" in link or link in seen:
                continue
            kind, language = kind_of(link), language_of(link)
            # Each language's pages lead to its own; the switcher's link is checked apart.
            if kind not in KINDS or language != language_of(path):
                continue
            if taken[language, kind] >= PER_KIND:
                continue
            taken[language, kind] += 1
            seen.add(link)
            queue.append(link)
    return pages


# The seeded demo ---------------------------------------------------------------------------


def seed_counts() -> dict[str, int]:
    return {
        "stories": Article.objects.count(),
        "regions": Region.objects.count(),
        "rubrics": Rubric.objects.count(),
        "tags": Tag.objects.count(),
        "pages": Page.objects.count(),
        "reviews": Review.objects.count(),
        "reads": StoryReads.objects.count(),
    }


def test_seeding_again_adds_nothing(demo):
    before = seed_counts()

    call_command("seed_demo", "--no-images", stdout=io.StringIO())

    assert seed_counts() == before


def test_russian_regions_rubrics_and_tags_are_translations_of_the_english_ones(demo):
    for model, names in ((Region, content_ru.REGIONS_RU), (Rubric, content_ru.RUBRICS_RU)):
        for english_slug, (name, slug, _description) in names.items():
            english = model.objects.get(language=DEFAULT, slug=english_slug)
            assert english.translation_in(RUSSIAN).slug == slug
            assert english.translation_in(RUSSIAN).name == name
    for english_name, russian_name in content_ru.TAGS_RU.items():
        english = Tag.objects.get(name=english_name)
        russian = Tag.objects.get(name=russian_name)
        assert translations.tag_map([english], RUSSIAN) == {english.pk: russian}
        assert translations.tag_language(russian) == RUSSIAN


def test_each_translation_has_its_source_mapped_taxonomy_and_time(demo):
    for source_slug, story in content_ru.TRANSLATIONS_RU.items():
        source = Article.objects.get(slug=source_slug)
        russian = Article.objects.get(slug=story["slug"])
        assert (russian.language, russian.translation_source) == (RUSSIAN, source)
        assert russian.translation_key == source.translation_key
        assert russian.region == source.region.translation_in(RUSSIAN)
        assert russian.rubric == source.rubric.translation_in(RUSSIAN)
        assert set(russian.authors.all()) == set(source.authors.all())
        assert {tag.name for tag in russian.tags.all()} == {
            content_ru.TAGS_RU[tag.name] for tag in source.tags.all()
        }
        assert russian.is_published()
        assert source.publish_at <= russian.publish_at <= source.publish_at + timedelta(hours=2)
        assert russian.corrections.count() == len(story.get("corrections", ()))
    for story in content_ru.STORIES_RU:
        original = Article.objects.get(slug=story["slug"])
        assert original.language == RUSSIAN and original.translation_source is None
        english = original.translation_in(DEFAULT)
        if story["english"] is None:
            assert english is None
        else:
            assert english.slug == story["english"]["slug"]
            assert english.translation_source == original and english.is_published()


def test_one_translation_is_out_of_date_with_what_changed_in_its_source(demo):
    stale = Article.objects.filter(translations.out_of_date())
    source = Article.objects.get(slug=content_ru.OUT_OF_DATE["source"])

    assert list(stale) == [source.translation_in(RUSSIAN)]
    added = [
        text
        for change in translations.changes_since_translated(stale.get())
        for sign, text in change.lines
        if sign == "+"
    ]
    assert added == [content_ru.OUT_OF_DATE["added_paragraph"]]


def test_most_read_and_reviews_are_per_language(site, demo):
    russian_home = site.get("/ru/").html
    most_read_ru = russian_home.split("most-read__list", 1)[1].split("</ol>", 1)[0]
    links = re.findall(r'href="([^"]+)"', most_read_ru)
    assert all(link.startswith("/ru/") for link in links)
    assert len([link for link in links if link.startswith("/ru/articles/")]) == 5
    english_home = site.get("/").html
    most_read_en = english_home.split("most-read__list", 1)[1].split("</ol>", 1)[0]
    assert "/ru/" not in most_read_en

    russian_reviews = Review.objects.approved().filter(article__language=RUSSIAN)
    assert russian_reviews.count() >= 3
    story = russian_reviews.first().article
    html = site.get(story.get_absolute_url()).html
    for review in russian_reviews.filter(article=story, parent=None):
        assert review.body in html


# The crawl -------------------------------------------------------------------------------


def test_the_crawl_reaches_every_kind_of_page_in_both_languages(crawled):
    kinds = Counter((language_of(path), kind_of(path)) for path in crawled)

    for language in (DEFAULT, RUSSIAN):
        for kind in KINDS:
            assert kinds[language, kind] >= 1, (language, kind)
    assert len(crawled) >= 60


def test_each_page_is_in_its_addresss_language(crawled):
    for path, fetched in crawled.items():
        assert fetched.page.language == language_of(path), path


def test_hreflang_alternates_are_reciprocal_and_answer_in_their_language(site, crawled):
    paired = Counter()
    for path, fetched in crawled.items():
        alternates = fetched.page.alternates
        if not alternates:
            continue
        own = language_of(path)
        languages = {code for code in alternates if code != "x-default"}
        assert len(languages) >= 2, path
        # The page names itself, and the default language's version is the x-default.
        assert site_path(alternates[own], settings.SITE_URL) == path, path
        assert alternates["x-default"] == alternates.get(DEFAULT), path
        for code in languages:
            target = site_path(alternates[code], settings.SITE_URL)
            assert target is not None, (path, code)
            other = site.get(target)
            assert other.status == 200, (path, code, target)
            assert other.page.language == code, (path, code, target)
            back = other.page.alternates.get(own)
            assert back is not None and site_path(back, settings.SITE_URL) == path, (
                f"{target} does not name {path} as its {own} version: {other.page.alternates}"
            )
        paired[kind_of(path)] += 1
    # Every kind that has translations in the demo shows them (search pages are noindex).
    for kind in KINDS:
        if kind != "search":
            assert paired[kind] >= 1, kind


def test_a_translated_story_and_its_source_name_each_other(site, demo):
    translated = Article.objects.published().filter(translation_source__isnull=False)
    assert translated.filter(language=RUSSIAN).count() == 12
    assert translated.filter(language=DEFAULT).count() == 3
    for story in translated.select_related("translation_source"):
        page = site.get(story.get_absolute_url()).page
        source = story.translation_source
        assert site_path(page.alternates[source.language], settings.SITE_URL) == (
            source.get_absolute_url()
        )
        assert page.switcher[source.language] == source.get_absolute_url()  # ASCII slugs


def test_the_language_switcher_leads_to_a_page_in_that_language(site, crawled):
    for path, fetched in crawled.items():
        page = fetched.page
        own = language_of(path)
        assert set(page.switcher) == {code for code, _name in settings.LANGUAGES} - {own}, path
        for code, href in page.switcher.items():
            link = site_path(href, settings.SITE_URL)
            target = site.get(link)
            assert target.status == 200, (path, href)
            assert target.page.language == code, (path, href)
            if code in page.alternates:
                # The same page in that language where it exists.
                assert link == site_path(page.alternates[code], settings.SITE_URL), path


def content_texts() -> list[str]:
    """Return what editors and readers wrote that pages show beside the interface, longest
    first: titles, teasers, names, pictures' words, reviews."""
    texts = set()
    for model, fields in (
        (Article, ("title", "teaser")),
        (Region, ("name",)),
        (Rubric, ("name",)),
        (Author, ("name",)),
        (Tag, ("name",)),
        (Page, ("title",)),
        (Image, ("alt_text", "caption", "credit")),
        (Review, ("name", "body", "reply")),
    ):
        for row in model.objects.values_list(*fields):
            texts.update(" ".join(text.split()) for text in row if text)
    return sorted(texts, key=len, reverse=True)


def interface_words(fetched: Fetched, content: list[str]) -> list[str]:
    """Return the Latin-letter words of *fetched*'s interface, with where they are."""
    found = []
    for text in fetched.page.texts:
        if text.classes & (CONTENT_CLASSES | UNTRANSLATABLE):
            continue
        # Marked as another language's on purpose (the switcher names "English" in English).
        if text.languages and text.languages[-1] != RUSSIAN:
            continue
        rest = text.text
        for piece in content:
            if piece in rest:
                rest = rest.replace(piece, " ")
        found += [
            f"{word!r} in {text.where} ({text.text[:80]!r})"
            for word in LATIN_WORD.findall(rest)
            if word not in ALLOWED_LATIN
        ]
    return found


def test_russian_pages_have_no_untranslated_interface_text(crawled):
    content = content_texts()
    problems = {}
    for path, fetched in crawled.items():
        if language_of(path) != RUSSIAN:
            continue
        words = interface_words(fetched, content)
        if words:
            problems[path] = words[:10]
    assert problems == {}


def test_the_check_finds_english_interface_text(crawled):
    """The check above would see an English label (it is not blind to the chrome)."""
    russian_home = crawled["/ru/"]
    spoiled = Fetched(
        "/ru/", 200, russian_home.html.replace("</header>", "<p>Latest stories</p></header>", 1)
    )

    assert interface_words(spoiled, content_texts())


SAMPLE = ("articles:home", "articles:detail", "articles:region", "articles:tag", "search")


def sample_paths(crawled) -> list[str]:
    paths = []
    for language in (DEFAULT, RUSSIAN):
        for kind in SAMPLE:
            paths.append(
                next(p for p in crawled if language_of(p) == language and kind_of(p) == kind)
            )
        paths.append("/ru/pages/privacy/" if language == RUSSIAN else "/pages/privacy/")
    return paths


def test_sample_pages_are_valid_html_in_both_languages(site, crawled, tmp_path):
    pages = {path: site.get(path).html.encode() for path in sample_paths(crawled)}

    errors = errors_of(pages, tmp_path)

    assert {path: found for path, found in errors.items() if found} == {}
