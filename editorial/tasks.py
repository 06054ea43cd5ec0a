"""Background work of the review workflow, run by django-tasks (``manage.py worker``).

Each task is the entry point of a piece of mail; the work lives in ``editorial.notifications``.
They are queued in the transaction of the change that calls for them (``editorial.services``),
so a mail is queued exactly when the change is stored.
"""

from django_tasks import task

from editorial import notifications


@task()
def notify_editors_of_review(article_ids: list[int], by_id: int | None) -> int:
    """Email the editors that stories wait for their review."""
    return notifications.tell_editors_of_review(article_ids, by_id)


@task()
def notify_authors_of_send_back(note_id: int) -> int:
    """Email a story's authors the note an editor sent it back with."""
    return notifications.tell_authors_of_send_back(note_id)
