"""Take the stories public when webhooks arrive as told: no ``story.published`` for old news.

Their reader digest is left empty, which the first look at each story fills in without an
event (webhooks.story_events). Stories scheduled for later are not written: at their time,
the sweep finds them public and not told, and tells them.
"""

from django.db import migrations
from django.utils import timezone

BATCH = 2000


def take_public_stories_as_told(apps, schema_editor):
    using = schema_editor.connection.alias
    Article = apps.get_model("articles", "Article")
    StoryState = apps.get_model("webhooks", "StoryState")
    now = timezone.now()
    public = (
        Article.objects.using(using)
        .filter(status="published", publish_at__lte=now)
        .values_list("pk", "slug")
        .order_by("pk")
    )
    StoryState.objects.using(using).bulk_create(
        (
            StoryState(story_id=pk, slug=slug, public=True, synced_at=now)
            for pk, slug in public.iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0002_roles"),
        ("articles", "0014_drop_title_trigram_index"),
    ]

    operations = [migrations.RunPython(take_public_stories_as_told, migrations.RunPython.noop)]
