from django.db import migrations, models

# taggit stores object_id as an integer and our ids are bigints, so Django joins tags to stories
# on "object_id::bigint", which taggit's own index on object_id cannot serve: a tag page with
# 6,000 stories took 200 ms to find its page. This index is on that very expression. taggit's
# table is not ours to declare an index on, so it is SQL, and only PostgreSQL casts.
TAGGED_ITEM_INDEX = "taggeditem_object_bigint"


def create_tagged_item_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {TAGGED_ITEM_INDEX} "
            "ON taggit_taggeditem (content_type_id, ((object_id)::bigint))"
        )


def drop_tagged_item_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TAGGED_ITEM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_article_slug_help_text"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["id", "status", "publish_at"], name="article_id_visibility"),
        ),
        migrations.RunPython(create_tagged_item_index, drop_tagged_item_index),
    ]
