"""Give every story, region and rubric a translation key of its own, every tag a language (the
default one: all existing content is in it), and every story its content digest."""

import uuid

from django.conf import settings
from django.db import migrations

from articles.models import content_digest

BATCH = 2000


def give_keys(apps, schema_editor):
    using = schema_editor.connection.alias
    for name in ("Region", "Rubric"):
        model = apps.get_model("articles", name)
        rows = list(model.objects.using(using).filter(translation_key__isnull=True))
        for row in rows:
            row.translation_key = uuid.uuid4()
        model.objects.using(using).bulk_update(rows, ["translation_key"], batch_size=BATCH)
    Article = apps.get_model("articles", "Article")
    stories = Article.objects.using(using).filter(translation_key__isnull=True).order_by("pk")
    batch = []
    for story in stories.only("pk", "title", "teaser", "body").iterator(chunk_size=BATCH):
        story.translation_key = uuid.uuid4()
        story.content_digest = content_digest(story.title, story.teaser, story.body)
        batch.append(story)
        if len(batch) == BATCH:
            Article.objects.using(using).bulk_update(batch, ["translation_key", "content_digest"])
            batch = []
    Article.objects.using(using).bulk_update(batch, ["translation_key", "content_digest"])
    Tag = apps.get_model("taggit", "Tag")
    TagLanguage = apps.get_model("articles", "TagLanguage")
    without = Tag.objects.using(using).filter(language_info__isnull=True).values_list("pk", flat=True)
    TagLanguage.objects.using(using).bulk_create(
        (
            TagLanguage(tag_id=pk, language=settings.LANGUAGE_CODE, translation_key=uuid.uuid4())
            for pk in without.iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0021_languages")]

    operations = [migrations.RunPython(give_keys, migrations.RunPython.noop, elidable=True)]
