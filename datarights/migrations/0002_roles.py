"""The Moderators role may look up, download and erase a reader's data in the admin.

Moderators already read reviews with their addresses and answer readers; a reader who writes
to the newsroom instead of using "Your data" is theirs to help. Editors and Authors get
nothing here (superusers have every permission).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {"Moderators": ["handle_reader_data"]}


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    app_config = apps.get_app_config("datarights")
    # Permissions of a new app exist only after post_migrate; create them now.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, interactive=False, using=using, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.using(using).filter(
                content_type__app_label="datarights", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.using(using).filter(name__in=ROLES):
        group.permissions.remove(
            *Permission.objects.using(using).filter(
                content_type__app_label="datarights", codename__in=ROLES[group.name]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("datarights", "0001_initial"),
        ("reviews", "0002_rules_and_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
