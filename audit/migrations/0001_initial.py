"""The audit log moves here from the editorial app: same rows, same permissions.

On a database that has it already (migrated by an earlier release), the table is renamed
and its content type moved, so every entry, and every group's "can view audit entry", stays.
On a new database the editorial app's first migration has just made the table: the same.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

OLD_TABLE = "editorial_auditentry"
NEW_TABLE = "audit_auditentry"


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label="editorial", model="auditentry"
    ).update(app_label="audit")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label="audit", model="auditentry"
    ).update(app_label="editorial")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("articles", "0008_list_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("editorial", "0002_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
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
                    name="AuditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="at")),
                        ("actor_name", models.CharField(blank=True, max_length=150, verbose_name="by (name)")),
                        ("action", models.CharField(choices=[("created", "created"), ("edited", "edited"), ("sent_to_review", "sent to review"), ("published", "published"), ("unpublished", "unpublished"), ("scheduled", "scheduled"), ("deleted", "deleted"), ("preview_created", "preview link created"), ("preview_revoked", "preview link revoked"), ("review_approved", "review approved"), ("review_rejected", "review rejected"), ("review_spam", "review marked spam"), ("review_pending", "review back in the queue"), ("rules_changed", "moderation rules changed")], max_length=20, verbose_name="action")),
                        ("story_title", models.CharField(blank=True, max_length=200, verbose_name="story title")),
                        ("object_repr", models.CharField(blank=True, max_length=200, verbose_name="object")),
                        ("details", models.JSONField(blank=True, default=dict, verbose_name="details")),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="by")),
                        ("story", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="articles.article", verbose_name="story")),
                    ],
                    options={
                        "verbose_name": "audit entry",
                        "verbose_name_plural": "audit log",
                        "ordering": ("-at", "-pk"),
                        "indexes": [models.Index(fields=["-at"], name="audit_at"), models.Index(fields=["story", "-at"], name="audit_story_at"), models.Index(fields=["actor", "-at"], name="audit_actor_at"), models.Index(fields=["action", "-at"], name="audit_action_at")],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
