"""Writes of "Your data": a reader's request, a moderator's look-up and download, erasure.

The reader's pages and the moderators' page in the admin call these; the email with the link
is the worker's (``datarights.mail``). The audit log never gets the address: it names the
reader by a keyed hash (``inventory.address_hash``), with what was found or erased, counted.
"""

import json
import re

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db import transaction
from django.db.models import Q
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from audit import log
from audit.models import AuditEntry
from datarights import tasks
from datarights.inventory import (
    Inventory,
    address_hash,
    inventory_for,
    normalise,
    reader_label,
    record,
)
from datarights.models import DataRequest
from newsletters import personal_data as newsletter_data
from reviews import personal_data as review_data


def erasure_mode() -> str:
    """Return what erasure does to reviews: ``anonymise`` or ``delete`` (the setting)."""
    return settings.NEWSROOM_ERASURE_REVIEWS


def erasure_preview(*, email: str) -> dict[str, int]:
    """Return what erasing *email* would do to reviews now, counted (for the confirmation)."""
    return review_data.erasure_preview(normalise(email), mode=erasure_mode())


def data_request_make(*, email: str, language: str | None = None) -> DataRequest:
    """Take a reader's request for *email*: store it and queue the worker's look.

    *language* is the page's (the default's if not given): the email and its link are in it.

    The same two INSERTs whoever asks and whatever the address: whether anything is held,
    and the email, are the worker's business , so the answer and the
    time it takes tell nothing (``datarights.mail.data_link_send``).
    """
    with transaction.atomic():
        data_request = DataRequest.objects.create(
            email=normalise(email), language=language or settings.LANGUAGE_CODE
        )
        # In the same transaction: the worker sees the task once the request is committed.
        tasks.send_data_link.enqueue(data_request.pk)
    return data_request


def data_look_up(*, email: str, by) -> Inventory:
    """Return what is held for *email*, for a moderator; audited."""
    inventory = inventory_for(email)
    record(log.Action.DATA_LOOKED_UP, inventory, by=by)
    return inventory


def data_export(*, email: str, by=None) -> dict:
    """Return the download of what is held for *email*; audited when a moderator takes it."""
    inventory = inventory_for(email)
    if by is not None:
        record(log.Action.DATA_EXPORTED, inventory, by=by)
    return inventory.as_json()


def data_erase(*, email: str, by=None) -> dict[str, int]:
    """Erase everything held for *email*; return what was done, counted; audited.

    Reviews as ``NEWSROOM_ERASURE_REVIEWS`` says (``reviews.personal_data``), the newsletter
    subscription, the requests and links of the address, queued or finished tasks that carry
    it (a password reset typed with it, say), and the address wherever a log quoted it. One
    transaction: all of it, or nothing.
    """
    email = normalise(email)
    mode = erasure_mode()
    with transaction.atomic():
        done = {
            **review_data.erase(email, mode=mode),
            **newsletter_data.erase(email),
        }
        done["data_requests"], _by_model = DataRequest.objects.for_address(email).delete()
        done["queued_tasks"] = _forget_tasks(email)
        done["log_entries_cleaned"] = _scrub_logs(email)
        log.record(
            log.Action.DATA_ERASED,
            actor=by,
            obj=reader_label(email),
            details={
                "address": address_hash(email),
                "by": "moderator" if by is not None else "reader",
                "mode": mode,
                **done,
            },
        )
    return done


def _task_mentions(email: str) -> Q:
    # The queue stores its arguments as JSON, where an address outside ASCII is escaped.
    escaped = json.dumps(email)[1:-1]
    return Q(args_kwargs__icontains=email) | Q(args_kwargs__icontains=escaped)


def _forget_tasks(email: str) -> int:
    """Delete the tasks whose arguments hold *email*, but one a worker is running now.

    That one is finished within moments and pruned with the other finished tasks
    (``NEWSROOM_WORKER_KEEP_FINISHED_DAYS``).
    """
    deleted, _by_model = (
        DBTaskResult.objects.filter(_task_mentions(email))
        .exclude(status=TaskResultStatus.RUNNING)
        .delete()
    )
    return deleted


def _scrub_logs(email: str) -> int:
    """Take *email* out of the audit log and the admin's history wherever an entry quotes it.

    Nothing of ours writes an address there; this is for whatever did (an older release, a
    note a moderator typed). The entries themselves stay.
    """
    pattern = re.compile(re.escape(email), re.IGNORECASE)
    marker = f"[{reader_label(email)}]"

    def scrub(value):
        if isinstance(value, str):
            return pattern.sub(lambda _match: marker, value)
        if isinstance(value, list):
            return [scrub(item) for item in value]
        if isinstance(value, dict):
            return {key: scrub(item) for key, item in value.items()}
        return value

    audit = list(
        AuditEntry.objects.filter(
            Q(object_repr__icontains=email)
            | Q(story_title__icontains=email)
            | Q(details__icontains=email)
        )
    )
    for entry in audit:
        entry.object_repr = scrub(entry.object_repr)
        entry.story_title = scrub(entry.story_title)
        entry.details = scrub(entry.details)
    AuditEntry.objects.bulk_update(audit, ["object_repr", "story_title", "details"])
    history = list(
        LogEntry.objects.filter(
            Q(object_repr__icontains=email) | Q(change_message__icontains=email)
        )
    )
    for entry in history:
        entry.object_repr = scrub(entry.object_repr)
        entry.change_message = scrub(entry.change_message)
    LogEntry.objects.bulk_update(history, ["object_repr", "change_message"])
    return len(audit) + len(history)
