"""Redirects from moved addresses, and the Editors' right to manage them in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

EDITORS = "Editors"
REDIRECT_PERMISSIONS = [f"{action}_redirect" for action in ("add", "change", "delete", "view")]


def grant_editors(apps, schema_editor):
    using = schema_editor.connection.alias
    app_config = apps.get_app_config("articles")
    # Permissions of a new model exist only after post_migrate; create them now (as 0002 does).
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, interactive=False, using=using, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _created = Group.objects.using(using).get_or_create(name=EDITORS)
    editors.permissions.add(
        *Permission.objects.using(using).filter(
            content_type__app_label="articles", codename__in=REDIRECT_PERMISSIONS
        )
    )


def revoke_editors(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for editors in Group.objects.using(using).filter(name=EDITORS):
        editors.permissions.remove(
            *Permission.objects.using(using).filter(
                content_type__app_label="articles", codename__in=REDIRECT_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_search"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="Redirect",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "old_path",
                    models.CharField(
                        help_text="The address that moved, starting with a slash, e.g. /articles/old-slug/. Pages below it move along: /regions/old/feed/ follows /regions/old/.",
                        max_length=500,
                        unique=True,
                        verbose_name="old path",
                    ),
                ),
                (
                    "new_path",
                    models.CharField(
                        help_text="Where readers go instead: a path such as /articles/new-slug/ or a full URL.",
                        max_length=500,
                        verbose_name="new path",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
            ],
            options={
                "verbose_name": "redirect",
                "verbose_name_plural": "redirects",
                "ordering": ("old_path",),
            },
        ),
        migrations.RunPython(grant_editors, revoke_editors),
    ]
