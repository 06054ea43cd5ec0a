"""Languages (then 0022 and 0023): every story, region and rubric in one language, linked to
its translations by a shared key; tags get their language in a table beside taggit's.

Three migrations, one transaction each: the keys are added empty here, given to every row in
0022, and only then required and made unique (0023). A callable default on ``AddField`` is
computed once, which would give every existing row the same key.
"""

import django.db.models.deletion
from django.db import migrations, models

import articles.models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0020_remove_article_correction_note"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        *(
            operation
            for model in ("article", "region", "rubric")
            for operation in (
                migrations.AddField(
                    model_name=model,
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
                    model_name=model,
                    name="translation_key",
                    field=models.UUIDField(editable=False, null=True),
                ),
            )
        ),
        migrations.AddField(
            model_name="article",
            name="content_digest",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="article",
            name="source_digest",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="article",
            name="source_history_id",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="article",
            name="translation_source",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="translations_made",
                to="articles.article",
                verbose_name="translated from",
            ),
        ),
        migrations.CreateModel(
            name="TagLanguage",
            fields=[
                (
                    "language",
                    models.CharField(
                        choices=articles.models.language_choices,
                        db_index=True,
                        default=articles.models.default_language,
                        max_length=10,
                        verbose_name="language",
                    ),
                ),
                ("translation_key", models.UUIDField(editable=False, null=True)),
                (
                    "tag",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="language_info",
                        serialize=False,
                        to="taggit.tag",
                    ),
                ),
            ],
            options={"verbose_name": "tag language", "verbose_name_plural": "tag languages"},
        ),
    ]
