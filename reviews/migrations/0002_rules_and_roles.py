"""Create the moderation rules row with sane defaults and give the roles their review rights.

- Moderators: view, change and delete reviews, the "moderate" permission (approve, reject,
  spam), and a read-only view of the rules. No story rights.
- Editors: every review and rules permission.
- Authors: nothing here.

Groups are fetched with get_or_create by name, so this works whichever of the roles
migration's groups exist. Reversing removes these permissions from the groups and the row.
"""

from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations

HOLD_WORDS = ["casino", "crypto", "forex", "betting", "loan", "escort"]
BLOCK_WORDS = ["viagra", "cialis", "payday loan", "replica watches", "buy followers"]

ROLES = {
    "Moderators": [
        "view_review",
        "change_review",
        "delete_review",
        "moderate_review",
        "view_moderationsettings",
    ],
    "Editors": [
        "add_review",
        "view_review",
        "change_review",
        "delete_review",
        "moderate_review",
        "add_moderationsettings",
        "view_moderationsettings",
        "change_moderationsettings",
        "delete_moderationsettings",
    ],
}


def permissions(apps, using, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.using(using).filter(
        content_type__app_label="reviews", codename__in=codenames
    )


def forwards(apps, schema_editor):
    using = schema_editor.connection.alias
    app_config = apps.get_app_config("reviews")
    # Permissions appear only after all migrations (post_migrate); create them now.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, interactive=False, using=using, apps=apps)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    for name, codenames in ROLES.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(*permissions(apps, using, codenames))

    ModerationSettings = apps.get_model("reviews", "ModerationSettings")
    ModerationSettings.objects.using(using).get_or_create(
        pk=1,
        defaults={
            "hold_words": "\n".join(HOLD_WORDS),
            "block_words": "\n".join(BLOCK_WORDS),
            "link_threshold": 2,
            "trusted_auto_approve": False,
            "close_after_days": settings.REVIEWS_CLOSE_AFTER_DAYS,
        },
    )


def backwards(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    for name, codenames in ROLES.items():
        for group in Group.objects.using(using).filter(name=name):
            group.permissions.remove(*permissions(apps, using, codenames))
    apps.get_model("reviews", "ModerationSettings").objects.using(using).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("articles", "0002_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
