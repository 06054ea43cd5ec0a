"""Search each story in its own language (PostgreSQL): stemmed and stop-worded as that language.

``articles_search_config(language)`` (written from articles/search_config.py) maps a language
code to PostgreSQL's configuration for it, ``simple`` for any other. The ``search_vector``
trigger of 0004 now reads each story with its language's configuration, and runs again when
the language changes. The words table of 0009 gets a language column, so that a typo is only
ever matched against words of stories in the reader's language; it is emptied and filled
again from the stories.

Not atomic: the stories are read in batches, each committed on its own, so that a large table
is not closed to writes for the length of the migration. Only the stories whose configuration
is not English are recomputed: 0004 read every story as English, so the others are right as
they are. Until the words are filled again, a typo may go without a suggestion. Interrupted,
it starts again from the beginning when run again.

Reversible: backwards, the functions and triggers of 0004 and 0009 come back, the stories that
were read otherwise are read as English again, and the words table loses its language.
"""

from django.db import migrations, transaction

from articles.search_config import FUNCTION, install_function

BATCH = 5000

ENGLISH = "'pg_catalog.english'::regconfig"

VECTOR_FUNCTION = """
CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    config regconfig := articles_search_config(NEW.language);
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector(config, coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector(config, coalesce(NEW.teaser, '')), 'B')
        || setweight(to_tsvector(config, coalesce(NEW.body, '')), 'C');
    RETURN NEW;
END
$$
"""

OLD_VECTOR_FUNCTION = """
CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(NEW.teaser, '')), 'B')
        || setweight(to_tsvector('english', coalesce(NEW.body, '')), 'C');
    RETURN NEW;
END
$$
"""

VECTOR_TRIGGER = """
DROP TRIGGER IF EXISTS articles_article_search_vector_update ON articles_article;
CREATE TRIGGER articles_article_search_vector_update
    BEFORE INSERT OR UPDATE OF {columns} ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_search_vector();
"""

# As in 0009: lowercased words as "simple" splits them, no numbers or punctuation.
WORDS = "to_tsvector('simple', concat_ws(' ', {0}title, {0}teaser, {0}body))"
WORTH_KEEPING = "char_length(lexeme) BETWEEN 3 AND 40 AND lexeme !~ '[[:digit:][:punct:][:space:]]'"

WORDS_TABLE = """
DROP TABLE IF EXISTS articles_searchword;
CREATE TABLE articles_searchword (
    language text NOT NULL,
    word text NOT NULL,
    PRIMARY KEY (language, word)
);
CREATE INDEX searchword_trgm_gin ON articles_searchword USING gin (word gin_trgm_ops);
"""

OLD_WORDS_TABLE = """
DROP TABLE IF EXISTS articles_searchword;
CREATE TABLE articles_searchword (word text PRIMARY KEY);
CREATE INDEX searchword_trgm_gin ON articles_searchword USING gin (word gin_trgm_ops);
"""

# In word order, so that two stories saved at once that bring the same new words wait for
# each other instead of deadlocking (as in 0009).
WORDS_FUNCTION = """
CREATE OR REPLACE FUNCTION articles_article_search_words() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO articles_searchword ({columns})
    SELECT {values} FROM unnest({words})
    WHERE {worth_keeping}
    ORDER BY lexeme
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$
"""

WORDS_UPDATE_TRIGGER = """
DROP TRIGGER IF EXISTS articles_article_search_words_update ON articles_article;
CREATE TRIGGER articles_article_search_words_update
    AFTER UPDATE OF {columns} ON articles_article
    FOR EACH ROW
    WHEN ({changed})
    EXECUTE FUNCTION articles_article_search_words();
"""

# Each run with a range of ids. Setting a column to itself runs the vector trigger, once.
RECOMPUTE = """
UPDATE articles_article SET {column} = {column}
WHERE id BETWEEN %s AND %s AND articles_search_config(language) <> {english}
"""

FILL_WORDS = """
INSERT INTO articles_searchword ({columns})
SELECT DISTINCT {values} FROM articles_article, unnest({words})
WHERE articles_article.id BETWEEN %s AND %s AND {worth_keeping}
ORDER BY {values}
ON CONFLICT DO NOTHING
"""


def words_sql(template: str, *, with_language: bool, row: str) -> str:
    return template.format(
        columns="language, word" if with_language else "word",
        values=f"{row}language, lexeme" if with_language else "lexeme",
        words=WORDS.format(row),
        worth_keeping=WORTH_KEEPING,
    )


def changed(columns: list[str]) -> str:
    return " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in columns)


def in_batches(connection, statement: str) -> None:
    """Run *statement* over the stories' ids, a batch of them per transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM articles_article")
        low, high = cursor.fetchone()
    if low is None:
        return
    for start in range(low, high + 1, BATCH):
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(statement, [start, start + BATCH - 1])


def read_in_language(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    columns = ["title", "teaser", "body", "language"]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        install_function(cursor)
        cursor.execute(VECTOR_FUNCTION)
        cursor.execute(VECTOR_TRIGGER.format(columns=", ".join(columns)))
        cursor.execute(WORDS_TABLE)
        cursor.execute(words_sql(WORDS_FUNCTION, with_language=True, row="NEW."))
        cursor.execute(
            WORDS_UPDATE_TRIGGER.format(columns=", ".join(columns), changed=changed(columns))
        )
    in_batches(connection, RECOMPUTE.format(column="language", english=ENGLISH))
    in_batches(connection, words_sql(FILL_WORDS, with_language=True, row=""))


def read_in_english(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    columns = ["title", "teaser", "body"]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(OLD_VECTOR_FUNCTION)
        cursor.execute(VECTOR_TRIGGER.format(columns=", ".join(columns)))
        cursor.execute(OLD_WORDS_TABLE)
        cursor.execute(words_sql(WORDS_FUNCTION, with_language=False, row="NEW."))
        cursor.execute(
            WORDS_UPDATE_TRIGGER.format(columns=", ".join(columns), changed=changed(columns))
        )
    # The language's configuration still decides which stories were read otherwise.
    in_batches(connection, RECOMPUTE.format(column="title", english=ENGLISH))
    in_batches(connection, words_sql(FILL_WORDS, with_language=False, row=""))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(text)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("articles", "0023_language_constraints")]

    operations = [migrations.RunPython(read_in_language, read_in_english, elidable=False)]
