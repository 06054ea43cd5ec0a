"""Upgrading a database with stories to search per language (0024) and back (PostgreSQL).

The test takes the database back to the release before 0024, whose trigger read every story
as English, writes stories in English and Russian as that release would have, migrates
forward and searches; then back again.
"""

import importlib
from datetime import timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from tests.test_upgrade import latest, migrate

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the search vectors and words table that 0024 rewrites are PostgreSQL's",
    ),
]

BEFORE = [("articles", "0023_language_constraints")]


@pytest.fixture
def before_languages(monkeypatch):
    # A batch of one story: every batch boundary is crossed.
    migration = importlib.import_module("articles.migrations.0024_search_languages")
    monkeypatch.setattr(migration, "BATCH", 1)
    executor = migrate(BEFORE)
    try:
        yield executor.loader.project_state(BEFORE).apps
    finally:
        migrate(latest())


def matches(slug: str, config: str, query: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector @@ websearch_to_tsquery(%s::regconfig, %s) "
            "FROM articles_article WHERE slug = %s",
            [config, query, slug],
        )
        return cursor.fetchone()[0]


def words(word: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM articles_searchword WHERE word = %s", [word])
        return cursor.fetchall()


def test_stories_are_read_in_their_language_after_the_upgrade_and_as_english_before(
    before_languages,
):
    old = before_languages
    Article = old.get_model("articles", "Article")

    def story(slug, language, body):
        region = old.get_model("articles", "Region").objects.create(
            name=f"Region {slug}", slug=f"region-{slug}", language=language
        )
        rubric = old.get_model("articles", "Rubric").objects.create(
            name=f"Rubric {slug}", slug=f"rubric-{slug}", language=language
        )
        return Article.objects.create(
            title=slug,
            slug=slug,
            teaser="—",
            body=body,
            region=region,
            rubric=rubric,
            language=language,
            status="published",
            publish_at=timezone.now() - timedelta(hours=1),
        )

    story("talks", "en", "<p>The negotiations went on.</p>")
    story("peregovory", "ru", "<p>Стороны договорились о переговорах.</p>")
    story("verhandlungen", "de", "<p>Die Verhandlungen dauern an.</p>")
    # The release before read every story as English: no Russian stem.
    assert not matches("peregovory", "russian", "переговоры")
    assert words("переговорах") == [("переговорах",)]

    migrate(latest())

    from articles.search import run_search

    assert matches("peregovory", "russian", "переговоры")
    assert matches("verhandlungen", "german", "Verhandlung")
    assert matches("talks", "english", "negotiation")
    found = run_search(QueryDict("q=переговоры"), language="ru")
    assert [article.slug for article in found["page_obj"]] == ["peregovory"]
    assert run_search(QueryDict("q=перегаворах"), language="ru")["suggestion"] == "переговорах"
    assert run_search(QueryDict("q=перегаворах"), language="en")["suggestion"] is None
    assert words("переговорах") == [("ru", "переговорах")]
    assert words("negotiations") == [("en", "negotiations")]

    migrate(BEFORE)

    assert not matches("peregovory", "russian", "переговоры")
    assert matches("peregovory", "english", "переговорах")
    assert matches("talks", "english", "negotiation")
    assert words("переговорах") == [("переговорах",)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = 'articles_search_config'")
        assert cursor.fetchone()[0] == 0
