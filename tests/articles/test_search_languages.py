"""Search in the page's language: stories stemmed as their own language, suggestions from it."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Region, Rubric
from articles.search import run_search, vocabulary
from articles.search_config import CONFIGS, FALLBACK, FUNCTION, config_name

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="stemming per language and the database's configuration function need PostgreSQL",
)

RUSSIAN_SEARCH = "/ru/search/"
ENGLISH_SEARCH = "/search/"


def titles(client, path, q) -> list[str]:
    response = client.get(path, {"q": q})
    assert response.status_code == 200
    return [article.title for article in response.context["page_obj"]]


@pytest.fixture
def russian(make_article):
    """Return a function that writes a story in Russian, in a Russian region and rubric."""
    region = Region.objects.create(name="Кавказ", slug="kavkaz", language="ru")
    rubric = Rubric.objects.create(name="Анализ", slug="analiz", language="ru")

    def make(**fields):
        return make_article(language="ru", region=region, rubric=rubric, **fields)

    return make


@on_postgres
@pytest.mark.django_db
class TestStemmingPerLanguage:
    def test_a_russian_story_is_found_by_another_form_of_its_word(self, client, russian):
        russian(title="Новости", body="<p>Стороны договорились о переговорах в Баку.</p>")
        assert titles(client, RUSSIAN_SEARCH, "переговоры") == ["Новости"]
        assert titles(client, ENGLISH_SEARCH, "переговоры") == []

    def test_an_english_story_is_found_by_another_form_of_its_word(
        self, client, make_article, russian
    ):
        make_article(title="Gas deal", body="<p>The negotiations went on all night.</p>")
        russian(title="Газ", body="<p>Negotiations — слово дня.</p>")
        assert titles(client, ENGLISH_SEARCH, "negotiation") == ["Gas deal"]
        # Russian pages find Russian stories only, English words in them stemmed as English.
        assert titles(client, RUSSIAN_SEARCH, "negotiation") == ["Газ"]

    def test_russian_stop_words_do_not_count(self, client, russian):
        # "в" and "и" are Russian stop words: the query is read as its other words.
        russian(title="Переговоры в Баку и Ереване")
        assert titles(client, RUSSIAN_SEARCH, "переговоры в Ереване") == [
            "Переговоры в Баку и Ереване"
        ]

    def test_snippets_mark_russian_matches(self, client, russian):
        russian(
            title="Южный Кавказ",
            teaser="Итоги недели.",
            body="<p>Министры провели новый раунд переговоров о границе.</p>",
        )
        response = client.get(RUSSIAN_SEARCH, {"q": "переговоры граница"})
        snippet = response.context["page_obj"][0].snippet
        assert "<mark>переговоров</mark>" in snippet
        assert "<mark>границе</mark>" in snippet

    def test_a_story_moved_to_another_language_is_read_again(self, client, make_article):
        # Written behind the app's back: the trigger runs on a change of language too.
        story = make_article(title="Заголовок", body="<p>Продолжение переговоров.</p>")
        Article.objects.filter(pk=story.pk).update(language="ru")
        assert titles(client, RUSSIAN_SEARCH, "переговоры") == ["Заголовок"]

    def test_a_language_the_site_does_not_list_yet_is_stemmed_all_the_same(self, make_article):
        # A deployment that adds German later needs no migration: its stories already are.
        make_article(title="Gespräche", body="<p>Die Verhandlungen dauern an.</p>", language="de")
        context = run_search(QueryDict("q=Verhandlung"), language="de")
        assert [article.title for article in context["page_obj"]] == ["Gespräche"]

    def test_a_language_without_a_configuration_is_matched_word_for_word(self, make_article):
        make_article(title="Келіссөздер", body="<p>Келіссөздер жалғасуда.</p>", language="kk")
        found = run_search(QueryDict("q=келіссөздер"), language="kk")
        assert [article.title for article in found["page_obj"]] == ["Келіссөздер"]
        # No stemmer: another form of the word is only found as a typo of the whole word.
        assert run_search(QueryDict("q=келіссөз"), language="kk")["suggestion"] == "келіссөздер"

    def test_the_database_maps_every_code_as_python_does(self, db):
        with connection.cursor() as cursor:
            cursor.execute("SELECT cfgname FROM pg_ts_config")
            available = {name for (name,) in cursor.fetchall()}
            for code in [*CONFIGS, "ka", "kk", "uz", "pt-br", "RU", "sr-latn", ""]:
                cursor.execute(f"SELECT {FUNCTION}(%s)::text", [code])
                assert cursor.fetchone()[0] == config_name(code, available), code
        assert config_name("ru") == "russian" and config_name("ka") == FALLBACK


@pytest.mark.django_db
def test_case_is_ignored_in_every_alphabet(client, russian):
    # SQLite's own LIKE would only ignore the case of ASCII letters.
    russian(title="ПЕРЕГОВОРЫ в Баку", teaser="Ёлки-палки.")
    assert titles(client, RUSSIAN_SEARCH, "Переговоры") == ["ПЕРЕГОВОРЫ в Баку"]
    assert titles(client, RUSSIAN_SEARCH, "ёлки") == ["ПЕРЕГОВОРЫ в Баку"]


@pytest.mark.django_db
class TestSuggestionsPerLanguage:
    """A typo is only ever respelt as a word a published story in the page's language has."""

    def test_a_russian_typo_gets_a_russian_suggestion(self, client, russian, make_article):
        russian(title="Итоги недели", body="<p>Переговоры продолжатся в Баку.</p>")
        make_article(title="Digest", body="<p>Russian papers wrote «переговорные».</p>")
        response = client.get(RUSSIAN_SEARCH, {"q": "перегаворы"})
        assert response.context["suggestion"] == "переговоры"
        assert [article.title for article in response.context["page_obj"]] == ["Итоги недели"]
        # The English page offers its own stories' word, never the Russian stories' one.
        english = client.get(ENGLISH_SEARCH, {"q": "перегаворы"})
        assert english.context["suggestion"] == "переговорные"
        assert [article.title for article in english.context["page_obj"]] == ["Digest"]

    def test_a_word_only_a_draft_or_another_language_has_is_never_suggested(
        self, client, russian, make_article
    ):
        russian(title="Мир", body="<p>Стороны говорят о мире.</p>")
        russian(title="Черновик", body="<p>Перемирие подписано.</p>", status=Article.Status.DRAFT)
        make_article(title="Truce", body="<p>The word of the day: «перемирие».</p>")
        response = client.get(RUSSIAN_SEARCH, {"q": "перемирее"})
        assert response.context["suggestion"] is None
        assert "перемирие" not in response.content.decode().lower()
        # The word is known, and suggested where a published story in the language has it.
        assert client.get(ENGLISH_SEARCH, {"q": "перемирее"}).context["suggestion"] == "перемирие"

    def test_a_russian_typo_costs_as_many_queries_as_an_english_one(self, russian, make_article):
        russian(body="<p>Переговоры о границе.</p>")
        make_article(body="<p>Border negotiations.</p>")
        counts = []
        for query, language in (("negotiatons", "en"), ("перегаворы", "ru")):
            run_search(QueryDict(f"q={query}"), language=language)  # SQLite's vocabulary
            with CaptureQueriesContext(connection) as queries:
                context = run_search(QueryDict(f"q={query}"), language=language)
            assert context["suggestion"]
            counts.append(len(queries))
        assert counts[0] == counts[1]

    def test_each_language_has_a_vocabulary_of_its_own(self, russian, make_article):
        # Same number of stories, same last edit: only the language tells the lists apart.
        russian(body="<p>Переговоры.</p>")
        make_article(body="<p>Negotiations.</p>")
        Article.objects.update(updated_at=timezone.now())
        published = Article.objects.published()
        english = vocabulary(published.in_language("en"), "en")
        russian_words = vocabulary(published.in_language("ru"), "ru")
        assert "negotiations" in english and "negotiations" not in russian_words
        assert "переговоры" in russian_words and "переговоры" not in english
