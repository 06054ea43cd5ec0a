"""Writes to reviews: submitting one, moderating many, a reader confirming follow-up mail.

The views and the admin (actions and row buttons) call these functions; they are the only
places that change a review's status. Moderation is written to the audit log
(``audit.log``) and tells readers who asked to hear about publication
(``reviews.followup``); mail goes out through the tasks (``reviews.tasks``), queued once the
transaction commits.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from audit import log
from reviews import followup
from reviews.models import Review, ReviewEmailOptOut
from reviews.moderation import Moderator, Signals
from reviews.signals import reviews_changed
from reviews.tasks import (
    notify_moderators,
    send_follow_up_confirmation,
    send_review_published_notices,
)
from serving import rate_limits
from serving.rate_limits import RateLimit

logger = logging.getLogger("newsroom.reviews")

USER_AGENT_LENGTH = Review._meta.get_field("user_agent").max_length
RATE_KEY = "reviews:rate:{fingerprint}"
# What a moderator's decision is called in the audit log.
REVIEW_ACTIONS = {
    Review.Status.APPROVED: log.Action.REVIEW_APPROVED,
    Review.Status.REJECTED: log.Action.REVIEW_REJECTED,
    Review.Status.SPAM: log.Action.REVIEW_SPAM,
    Review.Status.PENDING: log.Action.REVIEW_PENDING,
}


def client_fingerprint(ip: str) -> str:
    """Return a keyed hash of *ip* (HMAC-SHA256 with SECRET_KEY): comparable, not reversible."""
    return salted_hmac("reviews.fingerprint", ip or "", algorithm="sha256").hexdigest()


def rate_limit_hit(fingerprint: str, *, now: float | None = None) -> RateLimit:
    """Count one review for *fingerprint* and say whether it is within the limit.

    ``REVIEWS_RATE_LIMIT_COUNT`` per fixed window of ``REVIEWS_RATE_LIMIT_PERIOD`` seconds
    (serving.rate_limits); while the cache is unreachable the review is let through.
    """
    return rate_limits.hit(
        RATE_KEY.format(fingerprint=fingerprint),
        limit=settings.REVIEWS_RATE_LIMIT_COUNT,
        period=settings.REVIEWS_RATE_LIMIT_PERIOD,
        name="Review rate limit",
        now=now,
    )


def review_submit(
    *,
    article,
    data: dict,
    ip: str = "",
    user_agent: str = "",
    signals: Signals | None = None,
    moderator: Moderator | None = None,
    fingerprint: str | None = None,
) -> Review:
    """Store a review from the cleaned form *data*, with the status the rules decide.

    Moderators are told about a pending review after the transaction commits, through the
    ``notify_moderators`` task; a failure there never undoes or delays the stored review.
    """
    moderator = moderator or Moderator()
    review = Review(
        article=article,
        name=data["name"],
        email=data["email"],
        body=data["body"],
        fingerprint=fingerprint if fingerprint is not None else client_fingerprint(ip),
        user_agent=(user_agent or "")[:USER_AGENT_LENGTH],
    )
    decision = moderator.decide(review, signals=signals)
    review.status = decision.status
    review.reasons = [str(reason) for reason in decision.reasons]
    review.follow_up = followup.wanted_follow_up(review, bool(data.get("notify")))
    if review.status != Review.Status.PENDING:
        # Decided by the rules, not by a person: moderated_by stays empty.
        review.moderated_at = timezone.now()
    with transaction.atomic():
        review.save()
        if review.status == Review.Status.PENDING:
            transaction.on_commit(lambda: enqueue(notify_moderators, review.pk))
        if review.follow_up == Review.FollowUp.UNCONFIRMED:
            transaction.on_commit(lambda: enqueue(send_follow_up_confirmation, review.pk))
        if review.status == Review.Status.APPROVED:
            transaction.on_commit(
                lambda: reviews_changed.send(
                    sender=Review,
                    article_ids={article.pk},
                    status=review.status,
                    by=None,
                    moderated_at=review.moderated_at,
                )
            )
    return review


def enqueue(task, *args) -> None:
    """Queue an email task; a failing queue is logged, never shown to the reader."""
    try:
        task.enqueue(*args)
    except Exception:
        logger.exception("Could not queue %s%r.", task.name, args)


def published_notices_on_commit(review_ids: list[int]) -> None:
    """Tell the readers of *review_ids* that their reviews are out, once the change commits."""
    if review_ids:
        ids = list(review_ids)
        transaction.on_commit(lambda: enqueue(send_review_published_notices, ids))


def review_moderate(*, reviews, status: str, by) -> int:
    """Set *status* on every review of the queryset *reviews* in ONE UPDATE; return the count.

    Records who (*by*) and when, with one audit entry per review (one INSERT). Sends
    ``reviews_changed`` with the stories touched, so that cached pages of those stories can
    be refreshed.
    """
    if status not in Review.Status.values:
        raise ValueError(f"Unknown review status: {status!r}")
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            reviews.order_by().values_list(
                "pk", "name", "follow_up", "article_id", "article__title", named=True
            )
        )
        count = Review.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=status, moderated_by=by, moderated_at=now
        )
        article_ids = {row.article_id for row in rows}
        moderation_recorded(rows, status=status, by=by, at=now)
        transaction.on_commit(
            lambda: reviews_changed.send(
                sender=Review, article_ids=article_ids, status=status, by=by, moderated_at=now
            )
        )
    return count


def moderation_recorded(rows, *, status: str, by, at) -> None:
    """Write the audit entries of a moderation and tell readers waiting for publication.

    *rows* have ``pk``, ``name``, ``follow_up``, ``article_id`` and ``article__title`` (a
    ``values_list(named=True)`` row, or a ``Review`` via :func:`review_row`).
    """
    action = REVIEW_ACTIONS[status]
    log.record_many(
        log.entry(
            action,
            actor=by,
            story_id=row.article_id,
            story_title=row.article__title,
            obj=f"#{row.pk} {row.name}",
            details={"review": row.pk},
            at=at,
        )
        for row in rows
    )
    if status == Review.Status.APPROVED:
        published_notices_on_commit(
            [row.pk for row in rows if row.follow_up == Review.FollowUp.CONFIRMED]
        )


@dataclass
class ReviewRow:
    pk: int
    name: str
    follow_up: str
    article_id: int
    article__title: str


def review_row(review: Review) -> ReviewRow:
    return ReviewRow(
        review.pk, review.name, review.follow_up, review.article_id, review.article.title
    )


def follow_up_confirm(*, email: str) -> int:
    """Confirm *email* for its reviews waiting for confirmation; return how many.

    Confirming is an explicit request for mail, so it lifts an earlier opt-out. Reviews
    already approved are announced at once.
    """
    now = timezone.now()
    with transaction.atomic():
        ReviewEmailOptOut.objects.filter(email_hash=ReviewEmailOptOut.hash_email(email)).delete()
        waiting = Review.objects.filter(
            email=email.lower(),
            follow_up=Review.FollowUp.UNCONFIRMED,
            created_at__gte=now - followup.confirm_max_age(),
        )
        ids = list(waiting.values_list("pk", flat=True))
        Review.objects.filter(pk__in=ids).update(
            follow_up=Review.FollowUp.CONFIRMED, follow_up_confirmed_at=now
        )
        published_notices_on_commit(
            Review.objects.filter(pk__in=ids, status=Review.Status.APPROVED).values_list(
                "pk", flat=True
            )
        )
    return len(ids)
