"""The newsroom's roles in the image library.

Authors upload images, see the library and describe their own uploads (the admin limits
changes to them); Editors manage every image and keyword, including deleting unused ones.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Authors": ["add_image", "change_image", "view_image", "view_imagetag"],
    "Editors": [
        f"{action}_{model}"
        for model in ("image", "imagetag")
        for action in ("add", "change", "delete", "view")
    ],
}


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    app_config = apps.get_app_config("images")
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
                content_type__app_label="images", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.using(using).filter(name__in=ROLES):
        group.permissions.remove(
            *Permission.objects.using(using).filter(
                content_type__app_label="images", codename__in=ROLES[group.name]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("images", "0001_initial"),
        ("articles", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
