"""Create the Administrators role: the people who run the team's accounts.

Administrators invite people (``add_user``), change their names, addresses and roles and
deactivate them (``change_user``), and see the accounts and the roles (``view_user``,
``view_group``). They get no ``delete_user``: people leave by being deactivated, so that
their name stays on their stories, in the history and in the audit log. What they may not
do although ``change_user`` would allow it (make anyone a superuser, grant single
permissions, set a password, touch a superuser's account) the user admin refuses on the
server (``accounts/admin.py``).

Permissions are created first, because on a fresh database Django creates them only after
all migrations have run (post_migrate). Reversing deletes the group.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINISTRATORS = "Administrators"

ROLES = {
    ADMINISTRATORS: [
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "auth.view_group",
    ],
}


def create_roles(apps, schema_editor):
    using = schema_editor.connection.alias
    app_config = apps.get_app_config("auth")
    # create_permissions() skips app configs without a models module, which is what the
    # historical app registry of a migration has.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, interactive=False, using=using, apps=apps)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.using(using).get(
                    content_type__app_label=app_label, codename=codename
                )
            )


def delete_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
