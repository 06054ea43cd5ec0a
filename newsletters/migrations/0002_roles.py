"""The newsroom's roles for newsletters: Editors see the sends and lists, and may stop a send.

Subscribers' addresses are for superusers only (newsletters.admin); sending an alert needs the
story's publish permission, which Editors have.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Editors": ["view_send", "change_send"],
}


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    app_config = apps.get_app_config("newsletters")
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
                content_type__app_label="newsletters", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.using(using).filter(name__in=ROLES):
        group.permissions.remove(
            *Permission.objects.using(using).filter(
                content_type__app_label="newsletters", codename__in=ROLES[group.name]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0001_initial"),
        ("articles", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
