"""Tell the endpoints nothing new when a story's correction note becomes correction records.

What endpoints were last told of a story (``StoryState.digest``) held a hash of its
correction note; it now holds one of its corrections (``webhooks.story_events.
reader_digest``). Each state gets the hash of the records the note became (articles 0019),
so the next look at the story finds no change it did not make: no ``story.updated`` for the
upgrade alone. Reversing does the same the other way.
"""

import hashlib
import json

from django.db import migrations


def digest_value(value) -> str:
    # As webhooks.story_events.digest_value(), frozen here.
    return hashlib.sha256(json.dumps(value, default=str).encode()).hexdigest()[:16]


def corrections_by_story(apps, using, story_ids):
    Correction = apps.get_model("articles", "Correction")
    found = {}
    for article_id, made_at, text in (
        Correction.objects.using(using)
        .filter(article_id__in=story_ids)
        .order_by("article_id", "made_at", "pk")
        .values_list("article_id", "made_at", "text")
    ):
        found.setdefault(article_id, []).append((made_at, text))
    return found


def note_to_corrections(apps, schema_editor):
    using = schema_editor.connection.alias
    StoryState = apps.get_model("webhooks", "StoryState")
    states = list(StoryState.objects.using(using).filter(digest__has_key="correction_note"))
    found = corrections_by_story(apps, using, [state.story_id for state in states])
    for state in states:
        del state.digest["correction_note"]
        corrections = found.get(state.story_id, [])
        state.digest["corrections"] = digest_value(
            [[made_at.isoformat(), text] for made_at, text in corrections]
        )
        state.save(update_fields=["digest"])


def corrections_to_note(apps, schema_editor):
    using = schema_editor.connection.alias
    StoryState = apps.get_model("webhooks", "StoryState")
    states = list(StoryState.objects.using(using).filter(digest__has_key="corrections"))
    found = corrections_by_story(apps, using, [state.story_id for state in states])
    for state in states:
        del state.digest["corrections"]
        # The note articles 0019 writes back when reversed.
        note = "\n\n".join(text for _made_at, text in found.get(state.story_id, []))
        state.digest["correction_note"] = digest_value(note)
        state.save(update_fields=["digest"])


class Migration(migrations.Migration):

    dependencies = [
        ("webhooks", "0005_expired_reason"),
        ("articles", "0019_correction_records"),
    ]

    operations = [migrations.RunPython(note_to_corrections, corrections_to_note)]
