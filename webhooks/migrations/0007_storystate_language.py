"""Remember each told story's language, so that ``story.unpublished`` names its address.

The language is copied from the stories still there; a state whose story is already deleted
keeps it empty and is told as the default language's (every story was, before languages).
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_languages(apps, schema_editor):
    using = schema_editor.connection.alias
    Article = apps.get_model("articles", "Article")
    StoryState = apps.get_model("webhooks", "StoryState")
    language = Article.objects.using(using).filter(pk=OuterRef("story_id")).values("language")
    StoryState.objects.using(using).filter(
        story_id__in=Article.objects.using(using).values("pk")
    ).update(language=Subquery(language[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("webhooks", "0006_corrections_digest"),
        ("articles", "0024_search_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="storystate",
            name="language",
            field=models.CharField(blank=True, max_length=10, verbose_name="language"),
        ),
        migrations.RunPython(copy_languages, migrations.RunPython.noop),
    ]
