"""Deliveries get a lease; endpoints keep every replaced secret until its own time.

``Delivery.attempt_started_at`` marks an attempt under way (webhooks.delivery claims the
delivery with it instead of holding a row lock across the HTTP request).
``Endpoint.previous_secrets`` replaces the single previous secret, which a second rotation
within the grace period dropped at once; the one kept so far moves into the list.
"""

from django.db import migrations, models


def secret_to_list(apps, schema_editor):
    Endpoint = apps.get_model("webhooks", "Endpoint")
    rotated = Endpoint.objects.using(schema_editor.connection.alias).exclude(previous_secret="")
    for endpoint in rotated.filter(previous_secret_expires_at__isnull=False):
        endpoint.previous_secrets = [
            {
                "secret": endpoint.previous_secret,
                "until": endpoint.previous_secret_expires_at.isoformat(),
            }
        ]
        endpoint.save(update_fields=["previous_secrets"])


def list_to_secret(apps, schema_editor):
    """Keep the replaced secret that signs longest: the old fields hold only one."""
    Endpoint = apps.get_model("webhooks", "Endpoint")
    for endpoint in Endpoint.objects.using(schema_editor.connection.alias).exclude(
        previous_secrets=[]
    ):
        latest = max(endpoint.previous_secrets, key=lambda entry: entry["until"])
        endpoint.previous_secret = latest["secret"]
        endpoint.previous_secret_expires_at = latest["until"]
        endpoint.save(update_fields=["previous_secret", "previous_secret_expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0003_public_stories"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="attempt_started_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="attempt under way since"
            ),
        ),
        migrations.AddField(
            model_name="endpoint",
            name="previous_secrets",
            field=models.JSONField(blank=True, default=list, verbose_name="previous secrets"),
        ),
        migrations.RunPython(secret_to_list, list_to_secret),
        migrations.RemoveField(model_name="endpoint", name="previous_secret"),
        migrations.RemoveField(model_name="endpoint", name="previous_secret_expires_at"),
    ]
