"""Move lead images into the image library (images.Image), reversibly (then 0013).

Each distinct lead image file becomes one library image carrying the story's alt text,
caption and credit, with its existing renditions kept under the library's keys ("320.webp"
becomes "full-320.webp"). Its crops (teaser, square, share cards) do not exist yet:
``manage.py process_images`` draws them around the focal point, and pages show the whole
picture framed by the focal point until then. History versions that show a moved file point
at its library image; where stories shared one file, the first story's words go with it.
Reversing copies everything back onto the stories; figures added to story texts since stay
in the text as references, which the older release's sanitiser removes on the next save.
"""

import django.db.models.deletion
from django.db import migrations, models

OLD_OG_KEY, NEW_OG_KEY = "og.jpg", "og-1200.jpg"
KEPT_KEYS = ("source",)
HELP_TEXT = (
    "Choose a picture from the image library, or add one with “+”. Its alt text, caption and "
    "credit come from the library."
)


def to_library_keys(renditions):
    converted = {}
    for key, name in (renditions or {}).items():
        if key in KEPT_KEYS:
            converted[key] = name
        elif key == OLD_OG_KEY:
            converted[NEW_OG_KEY] = name
        elif key.split(".", 1)[0].isdigit():
            converted[f"full-{key}"] = name
    return converted


def to_story_keys(renditions):
    converted = {}
    for key, name in (renditions or {}).items():
        if key in KEPT_KEYS:
            converted[key] = name
        elif key == NEW_OG_KEY:
            converted[OLD_OG_KEY] = name
        elif key.startswith("full-"):
            converted[key.removeprefix("full-")] = name
    return converted


def move_to_library(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Historical = apps.get_model("articles", "HistoricalArticle")
    Image = apps.get_model("images", "Image")
    using = schema_editor.connection.alias
    by_name = {}
    stories = Article.objects.using(using).exclude(lead_image="").order_by("pk")
    for article in stories.iterator():
        name = article.lead_image.name
        image = by_name.get(name)
        if image is None:
            image = Image(
                title=article.title[:255],
                alt_text=article.lead_image_alt,
                caption=article.lead_image_caption,
                credit=article.lead_image_credit,
                renditions=to_library_keys(article.lead_image_renditions),
            )
            image.save(using=using)
            # Set with an UPDATE: ImageField would open every file to read a size unknown
            # (0, which pages draw as 3:2 until process_images reads the real one).
            Image.objects.using(using).filter(pk=image.pk).update(
                file=name,
                width=article.lead_image_width or 0,
                height=article.lead_image_height or 0,
            )
            by_name[name] = image
        Article.objects.using(using).filter(pk=article.pk).update(library_image=image)
    for name, image in by_name.items():
        Historical.objects.using(using).filter(lead_image=name).update(library_image=image)


def move_back(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Historical = apps.get_model("articles", "HistoricalArticle")
    Image = apps.get_model("images", "Image")
    using = schema_editor.connection.alias
    stories = Article.objects.using(using).filter(library_image__isnull=False)
    for article in stories.select_related("library_image").iterator():
        image = article.library_image
        Article.objects.using(using).filter(pk=article.pk).update(
            lead_image=image.file.name,
            lead_image_width=image.width,
            lead_image_height=image.height,
            lead_image_alt=image.alt_text,
            lead_image_caption=image.caption,
            lead_image_credit=image.credit,
            lead_image_renditions=to_story_keys(image.renditions),
        )
    images = Image.objects.using(using).in_bulk(
        Historical.objects.using(using)
        .filter(library_image__isnull=False)
        .values_list("library_image", flat=True)
        .distinct()
    )
    for pk, image in images.items():
        Historical.objects.using(using).filter(library_image=pk).update(
            lead_image=image.file.name,
            lead_image_alt=image.alt_text,
            lead_image_caption=image.caption,
            lead_image_credit=image.credit,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_author_photo_renditions"),
        ("images", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="library_image",
            field=models.ForeignKey(
                blank=True,
                help_text=HELP_TEXT,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lead_of_stories",
                to="images.image",
                verbose_name="lead image",
            ),
        ),
        migrations.AddField(
            model_name="historicalarticle",
            name="library_image",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text=HELP_TEXT,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="images.image",
                verbose_name="lead image",
            ),
        ),
        migrations.RunPython(move_to_library, move_back),
    ]
