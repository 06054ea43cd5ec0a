"""The moderators' tools on a review's admin page: remove a passage, block a reviewer, and
see what else the reviewer wrote.

Only holders of ``reviews.moderate_review`` reach them (``reviews.admin``). Removing a passage
and blocking are written to the audit log: the passage itself never is (it may be exactly
the personal data the moderator took out), nor the blocked address.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import log
from reviews.models import Review, ReviewerBlock, ReviewReport, ReviewRevision

RECENT_REVIEWS = 10


class PassageNotFound(ValueError):
    """The passage to remove is not in the review's text."""


def removed_marker() -> str:
    return _("[removed by moderator]")


def review_redact(*, review: Review, passage: str, by) -> int:
    """Replace every occurrence of *passage* in *review*'s text by the removal marker.

    Return how many were replaced; raise :class:`PassageNotFound` if none. The text before
    is kept for moderators (``ReviewRevision``); the save refreshes the story's pages.
    """
    if not passage or not passage.strip():
        raise PassageNotFound(passage)
    with transaction.atomic():
        review = Review.objects.select_for_update().select_related("article").get(pk=review.pk)
        count = review.body.count(passage)
        if not count:
            raise PassageNotFound(passage)
        now = timezone.now()
        ReviewRevision.objects.create(
            review=review,
            kind=ReviewRevision.Kind.REDACTED,
            body=review.body,
            created_at=now,
            by=by,
        )
        review.body = review.body.replace(passage, removed_marker())
        review.save(update_fields=["body"])
        log.record(
            log.Action.REVIEW_REDACTED,
            actor=by,
            story=review.article,
            obj=f"#{review.pk} {review.name}",
            details={"review": review.pk, "passages": count, "characters": len(passage)},
            at=now,
        )
    return count


def reviewer_block(
    *,
    review: Review,
    note: str,
    expires_at: datetime,
    by,
    email: bool = True,
    fingerprint: bool = True,
) -> ReviewerBlock:
    """Block the author of *review* (by their email, their client, or both) until *expires_at*."""
    if not (email and review.email) and not (fingerprint and review.fingerprint):
        raise ValueError("A block needs the reviewer's email or client fingerprint.")
    with transaction.atomic():
        block = ReviewerBlock.objects.create(
            email=review.email if email else "",
            fingerprint=review.fingerprint if fingerprint else "",
            note=note,
            expires_at=expires_at,
            created_by=by,
            review=review,
        )
        log.record(
            log.Action.REVIEWER_BLOCKED,
            actor=by,
            story_id=review.article_id,
            story_title=review.article.title,
            obj=block_repr(block),
            details={
                "block": block.pk,
                "review": review.pk,
                "until": expires_at.isoformat(),
                "by_email": bool(block.email),
                "by_client": bool(block.fingerprint),
            },
        )
    return block


def reviewer_unblock(*, block: ReviewerBlock, by) -> None:
    """Lift *block* at once (it is kept, expired, so the history shows it)."""
    now = timezone.now()
    with transaction.atomic():
        ReviewerBlock.objects.filter(pk=block.pk, expires_at__gt=now).update(expires_at=now)
        log.record(
            log.Action.REVIEWER_UNBLOCKED,
            actor=by,
            obj=block_repr(block),
            details={"block": block.pk},
            at=now,
        )


def block_repr(block: ReviewerBlock) -> str:
    # Never the address: the audit log outlives the block.
    return _("reviewer block #%(pk)d") % {"pk": block.pk}


@dataclass
class ReviewerHistory:
    """What a moderator sees of a reviewer beside one of their reviews."""

    email: str
    approved: int
    pending: int
    rejected: int
    spam: int
    withdrawn: int
    same_client: int
    reports_received: int
    active_block: ReviewerBlock | None
    recent: list[Review]


def reviewer_history(review: Review) -> ReviewerHistory:
    """Return the history of *review*'s author, by email: four queries, whatever it holds.

    ``same_client`` counts the reviews sent from the same client fingerprint under any
    address (another name for the same person, or people sharing a network).
    """
    email = review.email.lower()
    # An erased (anonymised) review keeps no address: it is its own whole history.
    same_person = Q(email=email) if email else Q(pk=review.pk)
    same_client = Q(fingerprint=review.fingerprint) if review.fingerprint else Q(pk__in=[])
    statuses = Review.Status
    figures = Review.objects.filter(same_person | same_client).aggregate(
        approved=Count("pk", filter=same_person & Q(status=statuses.APPROVED)),
        pending=Count("pk", filter=same_person & Q(status=statuses.PENDING)),
        rejected=Count("pk", filter=same_person & Q(status=statuses.REJECTED)),
        spam=Count("pk", filter=same_person & Q(status=statuses.SPAM)),
        withdrawn=Count("pk", filter=same_person & Q(status=statuses.WITHDRAWN)),
        same_client=Count("pk", filter=same_client),
    )
    reports = ReviewReport.objects.filter(
        review__in=Review.objects.filter(same_person).values("pk")
    ).count()
    block = (
        ReviewerBlock.objects.active()
        .matching(email=email, fingerprint=review.fingerprint)
        .order_by("-expires_at")
        .first()
    )
    recent = list(
        Review.objects.filter(same_person)
        .exclude(pk=review.pk)
        .select_related("article")
        .only("pk", "status", "created_at", "body", "parent_id", "article__title")
        .order_by("-created_at", "-pk")[:RECENT_REVIEWS]
    )
    return ReviewerHistory(
        email=email,
        reports_received=reports,
        active_block=block,
        recent=recent,
        **figures,
    )
