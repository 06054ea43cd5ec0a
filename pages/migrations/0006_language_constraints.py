"""Now that every page has its key (0005): keys required, one page per language in each
translation group, and a slug unique in each language (a translation may keep its
original's: ``/pages/privacy/`` and ``/ru/pages/privacy/``)."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("pages", "0005_languages")]

    operations = [
        migrations.AlterField(
            model_name="page",
            name="translation_key",
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
        ),
        migrations.AlterField(
            model_name="page",
            name="slug",
            field=models.SlugField(
                help_text=(
                    "The end of the page's address, as in /pages/about/. One page per address in "
                    "each language: a translation may keep its original's."
                ),
                max_length=100,
                verbose_name="slug",
            ),
        ),
        migrations.AddConstraint(
            model_name="page",
            constraint=models.UniqueConstraint(
                fields=("language", "slug"), name="page_slug_per_language"
            ),
        ),
        migrations.AddConstraint(
            model_name="page",
            constraint=models.UniqueConstraint(
                fields=("translation_key", "language"), name="page_one_per_language"
            ),
        ),
    ]
