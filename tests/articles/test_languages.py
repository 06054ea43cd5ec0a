"""A newsroom in two languages: each language's pages at its own addresses, lists of one
language at a time, and stories linked to their translations (hreflang, the switcher)."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from taggit.models import Tag

from articles import translations
from articles.models import Article, Author, Region, Rubric, TagLanguage, ascii_slug
from newsroom.settings import site_languages
from tests.helpers import SITE


@pytest.fixture
def russian(region, rubric):
    """The Russian versions of the test region and rubric."""
    return {
        "region": Region.objects.create(
            name="Постсоветское пространство",
            slug="postsovetskoe-prostranstvo",
            language="ru",
            translation_key=region.translation_key,
        ),
        "rubric": Rubric.objects.create(
            name="Анализ", slug="analiz", language="ru", translation_key=rubric.translation_key
        ),
    }


@pytest.fixture
def pair(make_article, russian, editor):
    """An English story and its published Russian translation."""
    english = make_article(title="The Almaty talks", slug="the-almaty-talks", tags=["diplomacy"])
    russian_story = translations.translate_story(english, "ru", by=editor)
    russian_story.title = "Переговоры в Алматы"
    russian_story.status = Article.Status.PUBLISHED
    russian_story.publish_at = english.publish_at
    russian_story.save()
    return english, russian_story


class LanguageLinks(HTMLParser):
    """The page's hreflang links, its language switcher's links and its navigation's text."""

    def __init__(self, html: str):
        super().__init__()
        self.hreflangs: dict[str, str] = {}
        self.switcher: dict[str, str] = {}
        self.nav_text = ""
        self._in = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "link" and attrs.get("rel") == "alternate" and attrs.get("hreflang"):
            self.hreflangs[attrs["hreflang"]] = attrs["href"]
        elif tag == "nav" and "language-switcher" in classes:
            self._in = "switcher"
        elif tag == "nav" and "site-nav" in classes:
            self._in = "nav"
        elif tag == "a" and self._in == "switcher":
            self.switcher[attrs["hreflang"]] = attrs["href"]

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in = None

    def handle_data(self, data):
        if self._in == "nav":
            self.nav_text += data


def hreflangs(response) -> dict[str, str]:
    return LanguageLinks(response.content.decode()).hreflangs


def switcher(response) -> dict[str, str]:
    return LanguageLinks(response.content.decode()).switcher


class TestAddresses:
    def test_the_default_language_keeps_its_addresses_and_russian_has_a_prefix(self, client, pair):
        english, russian_story = pair
        assert english.get_absolute_url() == "/articles/the-almaty-talks/"
        assert russian_story.get_absolute_url() == f"/ru/articles/{russian_story.slug}/"

        page = client.get(russian_story.get_absolute_url())
        assert page.status_code == 200
        assert '<html lang="ru">' in page.content.decode()
        assert page["Content-Language"] == "ru"
        assert client.get(english.get_absolute_url())["Content-Language"] == "en"

    def test_the_default_languages_own_prefix_redirects_to_the_address_without_it(self, client, db):
        response = client.get("/en/regions/post-soviet-region/?page=2")
        assert response.status_code == 301
        assert response["Location"] == "/regions/post-soviet-region/?page=2"
        assert client.get("/en/")["Location"] == "/"

    def test_the_prefix_redirect_never_leads_off_the_site(self, client, db):
        response = client.get("/en//evil.example/path")
        assert response.status_code == 301
        assert response["Location"] == "/evil.example/path"

    def test_a_story_asked_for_under_another_language_is_sent_to_its_own_address(
        self, client, pair
    ):
        english, russian_story = pair
        response = client.get(f"/articles/{russian_story.slug}/")
        assert response.status_code == 301
        assert response["Location"] == russian_story.get_absolute_url()
        response = client.get(f"/ru/articles/{english.slug}/")
        assert response["Location"] == english.get_absolute_url()

    def test_the_browsers_language_never_redirects_or_varies_a_shared_page(self, client, pair):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="ru,en;q=0.5")
        assert response.status_code == 200
        assert '<html lang="en">' in response.content.decode()
        assert "Accept-Language" not in response.get("Vary", "")

    def test_a_story_page_carries_its_suggestion_for_every_browser_alike(self, client, pair):
        english, _russian_story = pair
        pages = [
            client.get(english.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=accepted).content
            for accepted in ("ru,en;q=0.5", "en-GB", "")
        ]

        assert pages[0] == pages[1] == pages[2]
        page = pages[0].decode()
        suggestions = page[page.index('<template id="language-suggestions">') :]
        assert 'lang="ru" data-language="ru"' in suggestions
        assert "Эта страница есть и на вашем языке." in suggestions
        assert "language-suggestion.js" in suggestions

    def test_a_draft_translation_is_nowhere(self, client, make_article, russian, editor):
        english = make_article(title="Water first")
        draft = translations.translate_story(english, "ru", by=editor)
        assert client.get(draft.get_absolute_url()).status_code == 404
        assert "ru" not in hreflangs(client.get(english.get_absolute_url()))
        assert draft.slug not in client.get("/ru/").content.decode()


class TestListsPerLanguage:
    def test_each_home_page_lists_its_own_languages_stories(self, client, pair):
        english, russian_story = pair
        english_home = client.get("/").content.decode()
        russian_home = client.get("/ru/").content.decode()
        assert english.title in english_home
        assert russian_story.title not in english_home
        assert russian_story.title in russian_home
        assert english.title not in russian_home

    def test_a_region_has_a_page_in_each_language_with_that_languages_stories(
        self, client, pair, russian
    ):
        english, russian_story = pair
        page = client.get("/ru/regions/postsovetskoe-prostranstvo/")
        assert page.status_code == 200
        assert russian_story.title in page.content.decode()
        assert english.title not in page.content.decode()
        # Each language's slug lives under its own prefix only.
        assert client.get("/regions/postsovetskoe-prostranstvo/").status_code == 404

    def test_a_tag_and_an_author_have_a_page_only_where_they_have_a_public_story(
        self, client, make_article, russian
    ):
        author = Author.objects.create(name="Lena Morozova", slug="lena-morozova")
        make_article(title="English only", tags=["water"], authors=[author])
        assert client.get("/tags/water/").status_code == 200
        assert client.get("/ru/tags/water/").status_code == 404
        assert client.get("/authors/lena-morozova/").status_code == 200
        assert client.get("/ru/authors/lena-morozova/").status_code == 404

    def test_the_search_finds_the_pages_language_only(self, client, pair):
        english, russian_story = pair
        russian_results = client.get("/ru/search/", {"q": "Алматы"}).content.decode()
        assert russian_story.title in russian_results
        assert russian_story.title not in client.get("/search/", {"q": "Алматы"}).content.decode()


class TestTranslations:
    def test_a_translation_copies_the_story_and_maps_region_rubric_and_tags(
        self, make_article, russian, editor
    ):
        english = make_article(title="Gas and winter", tags=["gas", "energy"])
        russian_gas = TagLanguage.objects.get(tag__name="gas")
        TagLanguage.objects.create(
            tag=Tag.objects.create(name="газ", slug="газ"),
            language="ru",
            translation_key=russian_gas.translation_key,
        )

        made = translations.translate_story(english, "ru", by=editor)

        assert made.status == Article.Status.DRAFT
        assert made.language == "ru"
        assert made.translation_key == english.translation_key
        assert made.translation_source == english
        assert (made.title, made.body) == (english.title, english.body)
        assert made.region == russian["region"]
        assert made.rubric == russian["rubric"]
        # "energy" has no Russian version yet: left off, and said so.
        assert [tag.name for tag in made.tags.all()] == ["газ"]
        assert [tag.name for tag in translations.untranslated_tags(english, "ru")] == ["energy"]
        assert not translations.is_out_of_date(made)

    def test_a_translation_needs_the_regions_version_in_its_language(self, make_article, editor):
        english = make_article()
        with pytest.raises(translations.TranslationRefused, match="region"):
            translations.translate_story(english, "ru", by=editor)
        assert not Article.objects.filter(language="ru").exists()

    def test_one_translation_per_language(self, pair, editor):
        english, _russian = pair
        with pytest.raises(translations.TranslationRefused, match="already"):
            translations.translate_story(english, "ru", by=editor)

    def test_editing_the_source_makes_the_translation_out_of_date_until_marked(self, pair):
        english, russian_story = pair
        english.body += "<p>A new paragraph about the second round.</p>"
        english.save()
        russian_story.refresh_from_db()

        assert translations.is_out_of_date(russian_story)
        assert list(Article.objects.filter(translations.out_of_date())) == [russian_story]
        [body] = translations.changes_since_translated(russian_story)
        assert ("+", "A new paragraph about the second round.") in body.lines
        assert all(kind == " " for kind, text in body.lines if "second round" not in text)

        translations.mark_up_to_date(russian_story)
        russian_story.refresh_from_db()
        assert not translations.is_out_of_date(russian_story)
        assert not Article.objects.filter(translations.out_of_date()).exists()

    def test_a_change_readers_do_not_read_leaves_the_translation_up_to_date(self, pair):
        english, russian_story = pair
        english.featured = True
        english.publish_at -= timedelta(minutes=5)
        english.save()
        russian_story.refresh_from_db()
        assert not translations.is_out_of_date(russian_story)


class TestAlternates:
    def test_a_story_and_its_translation_name_each_other(self, client, pair):
        english, russian_story = pair
        from_english = hreflangs(client.get(english.get_absolute_url()))
        from_russian = hreflangs(client.get(russian_story.get_absolute_url()))
        expected = {
            "en": f"{SITE}{english.get_absolute_url()}",
            "ru": f"{SITE}{russian_story.get_absolute_url()}",
            "x-default": f"{SITE}{english.get_absolute_url()}",
        }
        assert from_english == expected
        assert from_russian == expected

    def test_the_switcher_leads_to_the_translation_or_else_that_languages_home(
        self, client, pair, make_article
    ):
        english, russian_story = pair
        assert switcher(client.get(english.get_absolute_url())) == {
            "ru": russian_story.get_absolute_url()
        }
        assert switcher(client.get(russian_story.get_absolute_url())) == {
            "en": english.get_absolute_url()
        }
        alone = make_article(title="Not translated")
        assert hreflangs(client.get(alone.get_absolute_url())) == {}
        assert switcher(client.get(alone.get_absolute_url())) == {"ru": "/ru/"}

    def test_pages_without_a_subject_name_their_counterparts(self, client, db):
        assert hreflangs(client.get("/")) == {
            "en": f"{SITE}/",
            "ru": f"{SITE}/ru/",
            "x-default": f"{SITE}/",
        }
        assert switcher(client.get("/ru/")) == {"en": "/"}
        # Search results are kept out of search engines: no hreflang, but a switcher.
        assert hreflangs(client.get("/search/", {"q": "x"})) == {}
        assert switcher(client.get("/search/")) == {"ru": "/ru/search/"}

    def test_a_regions_pages_name_each_other(self, client, russian):
        english_page = hreflangs(client.get("/regions/post-soviet-region/"))
        russian_page = hreflangs(client.get("/ru/regions/postsovetskoe-prostranstvo/"))
        assert english_page == russian_page
        assert english_page["ru"] == f"{SITE}/ru/regions/postsovetskoe-prostranstvo/"


class TestShared:
    def test_the_shared_blocks_of_each_language_are_kept_apart(self, client, pair):
        english, russian_story = pair
        client.get("/")
        latest = client.get("/ru/").content.decode()
        assert russian_story.title in latest
        nav = LanguageLinks(latest).nav_text
        assert "Постсоветское пространство" in nav
        assert "Post-Soviet" not in nav

    def test_a_change_to_a_russian_story_refreshes_its_cached_page(self, client, pair):
        _english, russian_story = pair
        assert (
            "Переговоры в Алматы" in client.get(russian_story.get_absolute_url()).content.decode()
        )
        russian_story.title = "Переговоры в Алматы: второй раунд"
        russian_story.save()
        page = client.get(russian_story.get_absolute_url()).content.decode()
        assert "второй раунд" in page


class TestSettingsAndSlugs:
    def test_languages_come_from_the_setting_each_named_in_itself(self):
        assert site_languages(["en", "ru"]) == [("en", "English"), ("ru", "Русский")]

    def test_an_unknown_or_unprepared_language_stops_the_site_with_a_message(self):
        with pytest.raises(ImproperlyConfigured, match="not a language code"):
            site_languages(["en", "xx"])
        with pytest.raises(ImproperlyConfigured, match="formats"):
            site_languages(["en", "ka"])
        with pytest.raises(ImproperlyConfigured, match="names no language"):
            site_languages([])

    def test_slugs_of_titles_in_other_scripts_are_spelt_in_latin_letters(self, make_article):
        assert ascii_slug("Переговоры в Алматы", 200) == "peregovory-v-almaty"
        story = make_article(title="Щедрый урожай: вода и хлопок", slug="", language="ru")
        assert story.slug == "shchedryy-urozhay-voda-i-khlopok"
        assert story.publish_at <= timezone.now()


class TestMoves:
    def test_a_renamed_russian_story_keeps_its_old_address(self, client, pair):
        _english, russian_story = pair
        old = russian_story.get_absolute_url()
        russian_story.slug = "peregovory-v-almaty"
        russian_story.save()
        response = client.get(old)
        assert response.status_code == 301
        assert response["Location"] == "/ru/articles/peregovory-v-almaty/"

    def test_a_renamed_authors_pages_move_in_every_language(self, client, pair):
        english, russian_story = pair
        author = Author.objects.create(name="Lena Morozova", slug="lena-morozova")
        english.authors.add(author)
        russian_story.authors.add(author)
        author.slug = "elena-morozova"
        author.save()
        assert client.get("/authors/lena-morozova/")["Location"] == "/authors/elena-morozova/"
        response = client.get("/ru/authors/lena-morozova/")
        assert response.status_code == 301
        assert response["Location"] == "/ru/authors/elena-morozova/"
