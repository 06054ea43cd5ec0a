"""Create the newsroom's roles as groups: Authors, Editors and Moderators.

- Authors write: they add stories and change their own (the admin limits them to stories
  they created or are credited on), send them to review, and see the taxonomy. They cannot
  publish (``publish_article``), touch others' stories (``edit_any_article``) or delete.
- Editors run the site: every story permission, including publishing, plus regions, rubrics,
  authors and tags, and a read-only view of user accounts (to link author profiles).
- Moderators get no story rights here; the reviews app's own migration gives them the queue.

Permissions are created first, because on a fresh database Django creates them only after
all migrations have run (post_migrate). Reversing deletes the three groups.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AUTHORS = "Authors"
EDITORS = "Editors"
MODERATORS = "Moderators"

ROLES = {
    AUTHORS: [
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        "articles.view_region",
        "articles.view_rubric",
        "articles.view_author",
        "taggit.view_tag",
    ],
    EDITORS: [
        *(f"articles.{action}_article" for action in ("add", "change", "delete", "view")),
        "articles.publish_article",
        "articles.edit_any_article",
        *(
            f"articles.{action}_{model}"
            for model in ("region", "rubric", "author")
            for action in ("add", "change", "delete", "view")
        ),
        *(f"taggit.{action}_tag" for action in ("add", "change", "delete", "view")),
        "auth.view_user",
    ],
    MODERATORS: [],
}


def create_roles(apps, schema_editor):
    using = schema_editor.connection.alias
    for label in ("auth", "taggit", "articles"):
        app_config = apps.get_app_config(label)
        # create_permissions() skips app configs without a models module, which is what the
        # historical app registry of a migration has.
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, interactive=False, using=using, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(
                Permission.objects.using(using).get(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.add(*wanted)


def delete_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
