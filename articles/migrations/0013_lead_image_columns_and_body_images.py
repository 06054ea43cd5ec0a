"""Drop the lead-image columns that 0012 moved into the library; record body images.

Apart from 0012 because PostgreSQL will not alter a table in the transaction that filled a
table it references (the new library rows): each migration has its own transaction.
"""

import django.db.models.deletion
from django.db import migrations, models

OLD_COLUMNS = (
    "lead_image",
    "lead_image_width",
    "lead_image_height",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    "lead_image_renditions",
)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_image_library"),
        ("images", "0001_initial"),
    ]

    operations = [
        *(
            migrations.RemoveField(model_name=model, name=name)
            for model in ("article", "historicalarticle")
            for name in OLD_COLUMNS
        ),
        migrations.RenameField("article", "library_image", "lead_image"),
        migrations.RenameField("historicalarticle", "library_image", "lead_image"),
        migrations.CreateModel(
            name="BodyImage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="body_image_uses",
                        to="articles.article",
                    ),
                ),
                (
                    "image",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="body_uses",
                        to="images.image",
                    ),
                ),
            ],
            options={
                "verbose_name": "image in a story's text",
                "verbose_name_plural": "images in stories' text",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("article", "image"), name="body_image_once_per_story"
                    )
                ],
            },
        ),
    ]
