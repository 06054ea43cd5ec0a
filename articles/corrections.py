"""Corrections: each one kept with its time and text, and shown to readers in order.

The story form's "Add a correction" box, a scheduled edit that carries one, and the editors'
pages to edit or remove one call these functions, which write the correction and its audit
entry together. Adding a correction marks the story "Updated" at the correction's time,
unless the caller saves the story itself with a time the editor gave (``revise=False``).

Readers' pages, feeds and webhooks learn of a change from the correction's own signals
(``articles.page_changes``, ``webhooks.receivers``), whoever wrote it.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from articles.models import Article, Correction
from audit import log


def _actor(by):
    return by if by is not None and by.is_authenticated else None


def correction_add(
    *, article: Article, text: str, by, made_at: datetime | None = None, revise: bool = True
) -> Correction:
    """Record the correction *text* to *article* at *made_at* (now); return it.

    With *revise*, the story's "Updated" time becomes the correction's (a version in its
    history, by *by*).
    """
    made_at = made_at or timezone.now()
    with transaction.atomic():
        correction = Correction.objects.create(
            article=article, text=text, made_at=made_at, created_by=_actor(by)
        )
        if revise:
            article.revised_at = made_at
            # Read by django-simple-history for the version this save writes.
            article._history_user = _actor(by)
            article._change_reason = gettext("Correction added")
            article.save(update_fields=["revised_at", "updated_at"])
        log.record(
            log.Action.CORRECTION_ADDED,
            actor=by,
            story=article,
            obj=correction,
            details={"correction": correction.pk, "made_at": made_at.isoformat()},
        )
    return correction


def correction_edit(*, correction: Correction, text: str, by) -> Correction:
    """Replace the text of *correction* (a typo in it); its time stays. Return it."""
    previous = correction.text
    if text == previous:
        return correction
    with transaction.atomic():
        correction.text = text
        correction.save(update_fields=["text"])
        log.record(
            log.Action.CORRECTION_EDITED,
            actor=by,
            story=correction.article,
            obj=correction,
            details={"correction": correction.pk, "previous_text": previous},
        )
    return correction


def correction_remove(*, correction: Correction, by) -> None:
    """Delete *correction* (one made by mistake); the audit log keeps its text and time."""
    article = correction.article
    with transaction.atomic():
        log.record(
            log.Action.CORRECTION_REMOVED,
            actor=by,
            story=article,
            obj=correction,
            details={
                "correction": correction.pk,
                "text": correction.text,
                "made_at": correction.made_at.isoformat(),
            },
        )
        correction.delete()
