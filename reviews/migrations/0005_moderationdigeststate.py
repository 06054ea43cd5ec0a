"""When moderators last got a digest moves here from the editorial app, with its one row."""

from django.db import migrations, models

OLD_TABLE = "editorial_moderationdigeststate"
NEW_TABLE = "reviews_moderationdigeststate"


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label="editorial", model="moderationdigeststate"
    ).update(app_label="reviews")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label="reviews", model="moderationdigeststate"
    ).update(app_label="editorial")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("editorial", "0002_roles"),
        ("reviews", "0004_follow_up"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"ALTER TABLE {OLD_TABLE} RENAME TO {NEW_TABLE}",
                    reverse_sql=f"ALTER TABLE {NEW_TABLE} RENAME TO {OLD_TABLE}",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="ModerationDigestState",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("last_sent_at", models.DateTimeField(blank=True, null=True, verbose_name="last digest sent at")),
                    ],
                    options={
                        "verbose_name": "moderation digest state",
                        "verbose_name_plural": "moderation digest state",
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
