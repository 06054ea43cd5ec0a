"""Pages in languages (then 0006): every page in one language, linked to its translations by a
shared key, as stories are (``articles.models.Translatable``).

The key is added empty and given to each existing page here, and only required and made
unique in 0006: a callable default on ``AddField`` is computed once, which would give every
page the same key. Every existing page is in the default language, the only one it had.
"""

import uuid

from django.db import migrations, models

import articles.models


def give_keys(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    pages = list(Page.objects.using(schema_editor.connection.alias).filter(translation_key=None))
    for page in pages:
        page.translation_key = uuid.uuid4()
    Page.objects.using(schema_editor.connection.alias).bulk_update(pages, ["translation_key"])


class Migration(migrations.Migration):
    dependencies = [("pages", "0004_privacy_page_text")]

    operations = [
        migrations.AddField(
            model_name="page",
            name="language",
            field=models.CharField(
                choices=articles.models.language_choices,
                db_index=True,
                default=articles.models.default_language,
                max_length=10,
                verbose_name="language",
            ),
        ),
        migrations.AddField(
            model_name="page",
            name="translation_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_keys, migrations.RunPython.noop, elidable=True),
    ]
