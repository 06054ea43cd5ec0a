"""Review events: ``review.approved``, for approvals one by one and in bulk.

Reviews are approved by ``reviews.services`` (row buttons, bulk actions, the rules at
submission), which send ``reviews_changed`` with the stories touched and the moderation
time, and by the review's admin form (``post_save``). Either way :func:`announce` is queued
with what finds the reviews again, and tells each one whose story is public: a review of a
story the public cannot see would give the story away. An approval made while its story is
offline is therefore never announced, not even when the story comes back. The key is the
review and the time of its approval, so an approval seen through both routes is told once;
approving a review that was approved already is a new approval, told again with its new
time.
"""

from datetime import datetime

from django.utils.dateparse import parse_datetime
from django_tasks import task

from articles.models import Article
from reviews.models import Review
from webhooks import payloads
from webhooks.delivery import emit
from webhooks.models import EventType


def announce_reviews(reviews) -> int:
    """Tell the approval of each review of *reviews* on a public story; return how many."""
    approved = list(reviews.filter(status=Review.Status.APPROVED, moderated_at__isnull=False))
    public = Article.objects.published().in_bulk({review.article_id for review in approved})
    told = 0
    for review in approved:
        article = public.get(review.article_id)
        if article is None:
            continue
        key = f"{EventType.REVIEW_APPROVED}:{review.pk}:{review.moderated_at.isoformat()}"
        if emit(EventType.REVIEW_APPROVED, key=key, data=payloads.review(review, article)):
            told += 1
    return told


@task()
def announce(review_ids: list[int]) -> int:
    """Tell the approval of the reviews *review_ids* (those still approved)."""
    return announce_reviews(Review.objects.filter(pk__in=review_ids))


@task()
def announce_moderation(article_ids: list[int], moderated_at: str, moderator_id: int | None) -> int:
    """Tell the approvals of one moderation: the reviews it stamped on *article_ids*."""
    moment: datetime = parse_datetime(moderated_at)
    reviews = Review.objects.filter(
        article_id__in=article_ids, moderated_at=moment, moderated_by_id=moderator_id
    )
    return announce_reviews(reviews)
