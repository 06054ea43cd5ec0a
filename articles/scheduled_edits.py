"""Scheduled edits: a live story's new text saved now, put live at a chosen time.

An editor corrects a live story for 9:00: the form's changes to the text (``ScheduledEdit.
SCHEDULABLE_FIELDS``) are kept in a ``ScheduledEdit`` and readers see the story unchanged
until then. At its time the worker applies it like an editor's save (a version in the
story's history, the audit log, the page cache and webhooks told through the usual
signals). A correction in it is recorded then, at that time (``articles.corrections``). Its
task is queued for that moment; a periodic job applies whatever a lost task
or a stopped worker left due, and ``check_schedule`` reports edits overdue.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from articles.corrections import correction_add
from articles.models import Article, ScheduledEdit
from audit import log
from images.models import Image
from serving.dates import admin_datetime

# How often the worker looks for due edits whose own task was lost.
SWEEP_EVERY = timedelta(minutes=1)


def edit_schedule(*, article: Article, changes: dict, apply_at, by) -> ScheduledEdit:
    """Keep *changes* (field name → new value) to *article* for *apply_at*; return the edit."""
    stored = {}
    for name, value in changes.items():
        if name not in ScheduledEdit.SCHEDULABLE_FIELDS:
            raise ValueError(f"A scheduled edit cannot change {name!r}")
        if name == "lead_image":
            value = value.pk if value is not None else None
        elif name == "revised_at":
            value = value.isoformat() if value is not None else None
        stored[name] = value
    with transaction.atomic():
        edit = ScheduledEdit.objects.create(
            article=article,
            apply_at=apply_at,
            changes=stored,
            based_on_version=article.version,
            created_by=by if by.is_authenticated else None,
        )
        log.record(
            log.Action.EDIT_SCHEDULED,
            actor=by,
            story=article,
            obj=article,
            details={"edit": edit.pk, "apply_at": apply_at.isoformat(), "fields": list(stored)},
        )
        apply_due_edits.using(run_after=apply_at).enqueue()
    return edit


def edit_cancel(*, edit: ScheduledEdit, by) -> bool:
    """Cancel *edit* unless it was applied or cancelled already; return whether it was."""
    now = timezone.now()
    with transaction.atomic():
        cancelled = (
            ScheduledEdit.objects.pending()
            .filter(pk=edit.pk)
            .update(cancelled_at=now, cancelled_by=by if by.is_authenticated else None)
        )
        if cancelled:
            log.record(
                log.Action.EDIT_CANCELLED,
                actor=by,
                story_id=edit.article_id,
                story_title=edit.article.title,
                obj=edit.article,
                details={"edit": edit.pk},
            )
    return bool(cancelled)


def edit_apply(edit: ScheduledEdit, *, now=None) -> Article:
    """Put *edit*'s text on its story now, as its author would have by saving the form."""
    now = now or timezone.now()
    article = Article.objects.select_for_update().get(pk=edit.article_id)
    skipped = []
    correction = edit.changes.get(ScheduledEdit.CORRECTION)
    if correction and "revised_at" not in edit.changes:
        # As a correction added in the form: "Updated" at its time, unless the edit says when.
        article.revised_at = now
    for name, value in edit.changes.items():
        if name == ScheduledEdit.CORRECTION:
            continue
        if name == "lead_image":
            image = Image.objects.filter(pk=value).first() if value else None
            if value and image is None:
                # Deleted from the library since (nothing protects an image an edit only
                # waits to show): the story keeps the picture it has rather than lose it.
                skipped.append(name)
                continue
            article.lead_image = image
        elif name == "revised_at":
            article.revised_at = datetime.fromisoformat(value) if value else None
        else:
            setattr(article, name, value)
    # Read by django-simple-history for the version this save writes.
    article._history_user = edit.created_by
    article._change_reason = _("Scheduled edit of %(time)s") % {
        "time": admin_datetime(edit.apply_at)
    }
    article.save()
    if correction:
        correction_add(
            article=article, text=correction, by=edit.created_by, made_at=now, revise=False
        )
    ScheduledEdit.objects.filter(pk=edit.pk).update(applied_at=now)
    log.record(
        log.Action.EDIT_APPLIED,
        actor=edit.created_by,
        story=article,
        obj=article,
        details={
            "edit": edit.pk,
            "fields": list(edit.changes),
            # Someone changed the live story after this edit was made: their change to these
            # fields is now replaced.
            "over_later_edits": article.version - 1 > edit.based_on_version,
            **({"skipped": skipped} if skipped else {}),
        },
    )
    return article


def apply_due(*, now=None) -> int:
    """Apply every pending edit whose time has come, oldest first; return how many.

    Each in its own transaction, its row locked and skipped by other workers doing the same.
    """
    now = now or timezone.now()
    applied = 0
    while True:
        with transaction.atomic():
            edit = ScheduledEdit.objects.due(now).select_for_update(skip_locked=True).first()
            if edit is None:
                return applied
            edit_apply(edit, now=now)
        applied += 1


@task()
def apply_due_edits() -> int:
    """Apply the scheduled edits whose time has come (queued for each edit's time)."""
    return apply_due()
