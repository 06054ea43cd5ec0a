"""Search "did you mean" on PostgreSQL: every word stories use, with a trigram index.

A typo in a query ("Armnia") finds nothing; articles/search.py then looks for the known words
closest to it and searches again with them. The table holds the distinct words of the title,
teaser and body of every story, whatever its status, so that a trigger can keep it current
from any write (``save()``, ``bulk_create()``, ``QuerySet.update()``) without knowing what
"public" means. It is a list of candidates, never shown as such: a word is only suggested after
a search of the published stories finds it (articles/search.py). Words are only ever added, so
a word edited out of every story lingers as a candidate, which that search check turns down.

Not a Django model: only search.py reads it, with SQL of its own. Other databases (SQLite for
``make run``) build their suggestions in Python and need nothing here.
"""

from django.db import migrations

# Lowercased words as the "simple" configuration splits them (HTML tags and entities are not
# words to it); numbers, addresses and words with punctuation are no one's typo target.
WORDS = "to_tsvector('simple', concat_ws(' ', {0}title, {0}teaser, {0}body))"
WORTH_KEEPING = "char_length(lexeme) BETWEEN 3 AND 40 AND lexeme !~ '[[:digit:][:punct:][:space:]]'"

FORWARD = [
    "CREATE TABLE IF NOT EXISTS articles_searchword (word text PRIMARY KEY)",
    "CREATE INDEX IF NOT EXISTS searchword_trgm_gin ON articles_searchword "
    "USING gin (word gin_trgm_ops)",
    f"""
    CREATE OR REPLACE FUNCTION articles_article_search_words() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        -- In word order, so that two stories saved at once that bring the same new words
        -- wait for each other instead of deadlocking.
        INSERT INTO articles_searchword (word)
        SELECT lexeme FROM unnest({WORDS.format("NEW.")})
        WHERE {WORTH_KEEPING}
        ORDER BY lexeme
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS articles_article_search_words_insert ON articles_article",
    """
    CREATE TRIGGER articles_article_search_words_insert
        AFTER INSERT ON articles_article
        FOR EACH ROW EXECUTE FUNCTION articles_article_search_words()
    """,
    "DROP TRIGGER IF EXISTS articles_article_search_words_update ON articles_article",
    # Django's save() writes every column: only a change of the text is worth reading it.
    """
    CREATE TRIGGER articles_article_search_words_update
        AFTER UPDATE OF title, teaser, body ON articles_article
        FOR EACH ROW
        WHEN (
            OLD.title IS DISTINCT FROM NEW.title
            OR OLD.teaser IS DISTINCT FROM NEW.teaser
            OR OLD.body IS DISTINCT FROM NEW.body
        )
        EXECUTE FUNCTION articles_article_search_words()
    """,
    # The stories written before this migration.
    f"""
    INSERT INTO articles_searchword (word)
    SELECT DISTINCT lexeme FROM articles_article, unnest({WORDS.format("")})
    WHERE {WORTH_KEEPING}
    ON CONFLICT DO NOTHING
    """,
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS articles_article_search_words_update ON articles_article",
    "DROP TRIGGER IF EXISTS articles_article_search_words_insert ON articles_article",
    "DROP FUNCTION IF EXISTS articles_article_search_words()",
    "DROP TABLE IF EXISTS articles_searchword",
]


def add_search_words(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement, params=None)


def remove_search_words(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_list_indexes"),
    ]

    operations = [
        migrations.RunPython(add_search_words, remove_search_words, elidable=False),
    ]
