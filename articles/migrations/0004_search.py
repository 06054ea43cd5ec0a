"""Full-text search on PostgreSQL: a trigger-maintained tsvector column and two GIN indexes.

Only PostgreSQL gets these; other databases (SQLite for ``make run``) search with LIKE and
need nothing here. The column is not a Django field (see articles/search.py for why); a
trigger, not a generated column, so that later migrations can still alter title/teaser/body.
"""

from django.db import migrations

FORWARD = """
ALTER TABLE articles_article ADD COLUMN IF NOT EXISTS search_vector tsvector;

CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(NEW.teaser, '')), 'B')
        || setweight(to_tsvector('english', coalesce(NEW.body, '')), 'C');
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS articles_article_search_vector_update ON articles_article;
CREATE TRIGGER articles_article_search_vector_update
    BEFORE INSERT OR UPDATE OF title, teaser, body ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_search_vector();

-- Fill the column for rows that exist already: the UPDATE fires the trigger.
UPDATE articles_article SET title = title;

CREATE INDEX IF NOT EXISTS article_search_vector_gin
    ON articles_article USING gin (search_vector);
CREATE INDEX IF NOT EXISTS article_title_trgm_gin
    ON articles_article USING gin (title gin_trgm_ops);
"""

BACKWARD = """
DROP INDEX IF EXISTS article_title_trgm_gin;
DROP INDEX IF EXISTS article_search_vector_gin;
DROP TRIGGER IF EXISTS articles_article_search_vector_update ON articles_article;
DROP FUNCTION IF EXISTS articles_article_search_vector();
ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector;
"""


def ensure_pg_trgm(cursor):
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    if cursor.fetchone():
        return
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    if not cursor.fetchone():
        raise RuntimeError(
            "Search needs the PostgreSQL extension pg_trgm, which this server does not have. "
            "Install the PostgreSQL contrib package (on Debian it ships with postgresql) and "
            "migrate again."
        )
    cursor.execute("SAVEPOINT newsroom_pg_trgm")
    try:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as error:
        cursor.execute("ROLLBACK TO SAVEPOINT newsroom_pg_trgm")
        raise RuntimeError(
            "Search needs the PostgreSQL extension pg_trgm and this database role may not "
            "create it. Ask a superuser to run `CREATE EXTENSION pg_trgm;` in this database, "
            f"then migrate again. ({error})"
        ) from error
    cursor.execute("RELEASE SAVEPOINT newsroom_pg_trgm")


def add_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        ensure_pg_trgm(cursor)
        cursor.execute(FORWARD)


def remove_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        # pg_trgm stays: other objects in the database may use it.
        cursor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_history"),
    ]

    operations = [
        migrations.RunPython(add_search, remove_search, elidable=False),
    ]
