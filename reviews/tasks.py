"""Background work for reviews, run by django-tasks (the backport of Django's tasks framework).

Each task is the entry point of a piece of mail; the work itself lives in
``reviews.moderators`` and ``reviews.followup``. They are enqueued once the review's
transaction commits and run by ``manage.py worker`` (the worker app), outside any request; a
task may run twice if its worker dies mid-way, so each one checks what was already sent.
"""

from django_tasks import task

from reviews import followup, moderators


@task()
def notify_moderators(review_id: int) -> bool:
    """Email the moderators about one new pending review (or the digest, when busy)."""
    return moderators.notify_new_review(review_id)


@task()
def send_moderation_digest() -> bool:
    """Email moderators the state of a busy queue, if the last digest is old enough."""
    return moderators.send_digest_if_due()


@task()
def announce_waiting_reviews() -> int:
    """Email moderators about pending reviews a failed mail server left unannounced."""
    return moderators.announce_unannounced()


@task()
def send_follow_up_confirmation(review_id: int) -> bool:
    """Email a reader the link that confirms "email me when my review is published"."""
    return followup.send_confirmation(review_id)


@task()
def send_review_published_notices(review_ids: list[int]) -> int:
    """Tell confirmed readers that their reviews are published."""
    return followup.send_published_notices(review_ids)


@task()
def send_reply_notices(reply_ids: list[int]) -> int:
    """Tell confirmed authors that replies to their reviews are published."""
    return followup.send_reply_notices(reply_ids)
