"""Keep each story's correction note as its first correction record, reversibly (then 0020).

A story's one "correction or update note", which each correction overwrote, becomes a
``Correction`` dated when readers were told: its "Updated" time (``revised_at``), else its
last edit. Scheduled edits that change the note add a correction instead when they are
applied (an edit that emptied the note no longer changes anything there). Reversing writes
each story's corrections back into its note, oldest first, one paragraph each, and turns
scheduled corrections back into notes.

Its own migration, between the new table and the dropped column: on PostgreSQL, rows
written with a deferred foreign key in the transaction that then alters the table it points
at are refused ("pending trigger events").
"""

from django.db import migrations

OLD, NEW = "correction_note", "correction"


def notes_to_records(apps, schema_editor):
    using = schema_editor.connection.alias
    Article = apps.get_model("articles", "Article")
    Correction = apps.get_model("articles", "Correction")
    ScheduledEdit = apps.get_model("articles", "ScheduledEdit")
    noted = (
        Article.objects.using(using)
        .exclude(correction_note="")
        .values_list("pk", "correction_note", "revised_at", "updated_at")
        .order_by("pk")
        .iterator(chunk_size=2000)
    )
    batch = []
    for pk, note, revised_at, updated_at in noted:
        if not note.strip():
            continue
        batch.append(Correction(article_id=pk, text=note.strip(), made_at=revised_at or updated_at))
        if len(batch) >= 2000:
            Correction.objects.using(using).bulk_create(batch)
            batch = []
    Correction.objects.using(using).bulk_create(batch)
    for edit in ScheduledEdit.objects.using(using).filter(changes__has_key=OLD):
        note = (edit.changes.pop(OLD) or "").strip()
        if note:
            edit.changes[NEW] = note
        edit.save(update_fields=["changes"])


def records_to_notes(apps, schema_editor):
    using = schema_editor.connection.alias
    Article = apps.get_model("articles", "Article")
    Correction = apps.get_model("articles", "Correction")
    ScheduledEdit = apps.get_model("articles", "ScheduledEdit")
    notes = {}
    for article_id, text in (
        Correction.objects.using(using)
        .order_by("article_id", "made_at", "pk")
        .values_list("article_id", "text")
    ):
        notes.setdefault(article_id, []).append(text)
    for article_id, texts in notes.items():
        Article.objects.using(using).filter(pk=article_id).update(
            correction_note="\n\n".join(texts)
        )
    Correction.objects.using(using).all().delete()
    for edit in ScheduledEdit.objects.using(using).filter(changes__has_key=NEW):
        edit.changes[OLD] = edit.changes.pop(NEW)
        edit.save(update_fields=["changes"])


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0018_correction"),
    ]

    operations = [migrations.RunPython(notes_to_records, records_to_notes)]
