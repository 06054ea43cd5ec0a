"""Background email for readers and moderators (django-tasks; see reviews.tasks)."""

from django_tasks import task

from editorial import digest, followup


@task()
def send_follow_up_confirmation(review_id: int) -> bool:
    """Email a reader the link that confirms "email me when my review is published"."""
    return followup.send_confirmation(review_id)


@task()
def send_review_published_notices(review_ids: list[int]) -> int:
    """Tell confirmed readers that their reviews are published."""
    return followup.send_published_notices(review_ids)


@task()
def send_moderation_digest() -> bool:
    """Email moderators the state of a busy queue, if the last digest is old enough."""
    return digest.send_digest_if_due()
