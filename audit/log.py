"""Write the audit log: who did what to which story or review, and when.

The services that change stories and reviews call :func:`record` (one action) or
:func:`record_many` (a bulk action: one INSERT for every row an UPDATE touched). Entries are
never changed afterwards, but for one thing: erasing a reader's data (``datarights``) takes
their name and address out of the entries that quote them. The admin lets only superusers
add, change or delete them.
"""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from audit.models import AuditEntry

Action = AuditEntry.Action
TITLE_LENGTH = AuditEntry._meta.get_field("story_title").max_length
REPR_LENGTH = AuditEntry._meta.get_field("object_repr").max_length


def entry(
    action: str,
    *,
    actor=None,
    story=None,
    story_id: int | None = None,
    story_title: str = "",
    obj: Any = None,
    details: dict | None = None,
    at=None,
) -> AuditEntry:
    """Return an unsaved audit entry; *story* or *story_id* + *story_title* name the story."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    if story is not None:
        story_id, story_title = story.pk, story.title
    return AuditEntry(
        at=at or timezone.now(),
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        action=action,
        story_id=story_id,
        story_title=(story_title or "")[:TITLE_LENGTH],
        object_repr=str(obj)[:REPR_LENGTH] if obj is not None else "",
        details=details or {},
    )


def record(action: str, **kwargs) -> AuditEntry:
    """Write one audit entry (see :func:`entry` for the arguments) and return it."""
    audit_entry = entry(action, **kwargs)
    audit_entry.save()
    return audit_entry


def record_many(entries: Iterable[AuditEntry]) -> None:
    """Write many audit entries in one INSERT."""
    AuditEntry.objects.bulk_create(list(entries))
