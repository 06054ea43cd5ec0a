"""Now that every row has its key (0022): keys required, one row per language in each
translation group, names and slugs unique per language, and the public lists' index led by
the language."""

import uuid

from django.db import migrations, models


def per_language(model: str, *fields: str, name: str) -> migrations.AddConstraint:
    return migrations.AddConstraint(
        model_name=model, constraint=models.UniqueConstraint(fields=fields, name=name)
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0022_language_keys")]

    operations = [
        *(
            migrations.AlterField(
                model_name=model,
                name="translation_key",
                field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
            )
            for model in ("article", "region", "rubric", "taglanguage")
        ),
        *(
            migrations.AlterField(
                model_name=model,
                name=name,
                field=field_class(max_length=100, verbose_name=name),
            )
            for model in ("region", "rubric")
            for name, field_class in (("name", models.CharField), ("slug", models.SlugField))
        ),
        per_language("article", "translation_key", "language", name="article_one_per_language"),
        per_language("region", "language", "slug", name="region_slug_per_language"),
        per_language("region", "language", "name", name="region_name_per_language"),
        per_language("region", "translation_key", "language", name="region_one_per_language"),
        per_language("rubric", "language", "slug", name="rubric_slug_per_language"),
        per_language("rubric", "language", "name", name="rubric_name_per_language"),
        per_language("rubric", "translation_key", "language", name="rubric_one_per_language"),
        per_language("taglanguage", "translation_key", "language", name="tag_one_per_language"),
        migrations.RemoveIndex(model_name="article", name="article_status_publish"),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["language", "status", "publish_at"],
                include=("unpublish_at",),
                name="article_language_publish",
            ),
        ),
        migrations.RemoveIndex(model_name="article", name="article_id_visibility"),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["id", "status", "publish_at"],
                include=("unpublish_at", "language"),
                name="article_id_visibility",
            ),
        ),
    ]
