"""Drop the trigram index on story titles (PostgreSQL): search no longer reads it.

"Did you mean" looks up the word list of 0009 (``searchword_trgm_gin``); nothing compares
titles by similarity since, and the index only cost time on every story written.
"""

from django.db import migrations


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_title_trgm_gin")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS article_title_trgm_gin "
            "ON articles_article USING gin (title gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_lead_image_columns_and_body_images"),
    ]

    operations = [migrations.RunPython(drop_index, create_index, elidable=False)]
