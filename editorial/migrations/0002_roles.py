"""Let Editors read the audit log. Nobody but superusers adds, changes or deletes entries.

Preview links, presence and the upcoming list follow the story rights themselves
(``editorial.admin``), so they need no permission rows.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
CODENAMES = ["view_auditentry"]


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    app_config = apps.get_app_config("editorial")
    # Permissions of new models exist only after post_migrate; create them now.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, interactive=False, using=using, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _created = Group.objects.using(using).get_or_create(name=EDITORS)
    editors.permissions.add(
        *Permission.objects.using(using).filter(
            content_type__app_label="editorial", codename__in=CODENAMES
        )
    )


def revoke(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.using(using).filter(name=EDITORS):
        group.permissions.remove(
            *Permission.objects.using(using).filter(
                content_type__app_label="editorial", codename__in=CODENAMES
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        ("articles", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
