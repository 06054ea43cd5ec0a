"""Writes to reviews: submitting one (or a reply), moderating many, the author's edits, a
reader confirming follow-up mail.

The views and the admin (actions and row buttons) call these functions; with the readers'
reports (``reviews.reports``) and the moderators' tools (``reviews.tools``) they are the only
places that change a review's status. Moderation is written to the audit log
(``audit.log``) and tells readers who asked to hear about publication or replies
(``reviews.followup``); mail goes out through the tasks (``reviews.tasks``), queued once the
transaction commits.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from audit import log
from reviews import editing, followup
from reviews.models import Review, ReviewEmailOptOut, ReviewReport, ReviewRevision
from reviews.moderation import Moderator, Signals
from reviews.signals import reviews_changed
from reviews.tasks import (
    notify_moderators,
    send_follow_up_confirmation,
    send_reply_notices,
    send_review_published_notices,
)
from serving import rate_limits
from serving.clients import client_network
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


class ReplyRefused(Exception):
    """The review cannot take a reply; ``reason`` says why."""

    # Not (or no longer) on the story's page: pending, rejected, held, another story's.
    NOT_PUBLIC = "not_public"
    # Replies attach to the review: one level only.
    TO_A_REPLY = "to_a_reply"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def reply_refusal(parent: Review, article) -> str | None:
    """Return why readers of *article* may not reply to *parent* (a ReplyRefused reason)."""
    if parent.article_id != article.pk or parent.status != Review.Status.APPROVED:
        return ReplyRefused.NOT_PUBLIC
    if parent.parent_id is not None:
        return ReplyRefused.TO_A_REPLY
    return None


def check_reply_target(parent: Review, article) -> None:
    """Raise :class:`ReplyRefused` unless readers of *article* may reply to *parent*."""
    refused = reply_refusal(parent, article)
    if refused:
        raise ReplyRefused(refused)


def client_fingerprint(ip: str) -> str:
    """Return a keyed hash of the client at *ip* (HMAC-SHA256 with SECRET_KEY): comparable,
    not reversible.

    The client is :func:`serving.clients.client_network` of the address: an IPv6 one is its
    /64, so that one machine picking new addresses is still one reviewer, one reporter and
    one rate-limit budget. (Fingerprints stored before this rule hashed the whole IPv6
    address; they stay as they are and no longer match that client's new ones.)
    """
    client = client_network(ip or "")
    return salted_hmac("reviews.fingerprint", client, algorithm="sha256").hexdigest()


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
    parent: Review | None = None,
) -> Review:
    """Store a review, or a reply to *parent*, from the cleaned form *data*, with the status
    the rules decide.

    A reply meets the same rules as a review; :class:`ReplyRefused` if *parent* takes none.
    Moderators are told about a pending review after the transaction commits, through the
    ``notify_moderators`` task; a failure there never undoes or delays the stored review.
    """
    if parent is not None:
        check_reply_target(parent, article)
    moderator = moderator or Moderator()
    review = Review(
        article=article,
        parent=parent,
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
    review.replies_follow_up = followup.wanted_replies_follow_up(
        review, bool(data.get("notify_replies"))
    )
    if review.status != Review.Status.PENDING:
        # Decided by the rules, not by a person: moderated_by stays empty.
        review.moderated_at = timezone.now()
    with transaction.atomic():
        review.save()
        if review.status == Review.Status.PENDING:
            transaction.on_commit(lambda: enqueue(notify_moderators, review.pk))
        if (
            review.follow_up == Review.FollowUp.UNCONFIRMED
            or review.replies_follow_up == Review.RepliesFollowUp.UNCONFIRMED
        ):
            transaction.on_commit(lambda: enqueue(send_follow_up_confirmation, review.pk))
        if review.status == Review.Status.APPROVED and parent is not None:
            reply_notices_on_commit([review.pk])
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


def reply_notices_on_commit(reply_ids: list[int]) -> None:
    """Tell the authors of the reviews *reply_ids* answer, once the change commits."""
    if reply_ids:
        ids = list(reply_ids)
        transaction.on_commit(lambda: enqueue(send_reply_notices, ids))


def review_moderate(*, reviews, status: str, by) -> int:
    """Set *status* on every review of the queryset *reviews* in ONE UPDATE; return the count.

    Records who (*by*) and when, with one audit entry per review (one INSERT). Sends
    ``reviews_changed`` with the stories touched, so that cached pages of those stories can
    be refreshed. Reviews their authors withdrew are left as they are: nobody publishes
    them again.
    """
    if status not in Review.Status.values or status == Review.Status.WITHDRAWN:
        raise ValueError(f"Not a moderator's status: {status!r}")
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            reviews.exclude(status=Review.Status.WITHDRAWN)
            .order_by()
            .values_list(
                "pk", "name", "follow_up", "article_id", "article__title", "parent_id", named=True
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

    *rows* have ``pk``, ``name``, ``follow_up``, ``article_id``, ``article__title`` and
    ``parent_id`` (a ``values_list(named=True)`` row, or a ``Review`` via :func:`review_row`).
    Approving also dismisses the readers' open reports of those reviews: a moderator judged
    them, so they no longer count towards holding the review again.
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
        reply_notices_on_commit([row.pk for row in rows if row.parent_id])
        reports_dismiss(review_ids=[row.pk for row in rows], by=by, at=at)


def reports_dismiss(*, review_ids: list[int], by, at=None) -> int:
    """Dismiss the open reports of *review_ids*; return how many reviews had some.

    One audit entry per review whose reports were dismissed.
    """
    at = at or timezone.now()
    reports = ReviewReport.objects.open().filter(review_id__in=review_ids)
    reported = list(
        Review.objects.filter(pk__in=reports.values("review_id")).values_list(
            "pk", "name", "article_id", "article__title", named=True
        )
    )
    if not reported:
        return 0
    counts = dict(reports.order_by().values_list("review_id").annotate(count=models.Count("pk")))
    reports.update(dismissed_at=at, dismissed_by=by)
    log.record_many(
        log.entry(
            log.Action.REPORTS_CLEARED,
            actor=by,
            story_id=row.article_id,
            story_title=row.article__title,
            obj=f"#{row.pk} {row.name}",
            details={"review": row.pk, "reports": counts.get(row.pk, 0)},
            at=at,
        )
        for row in reported
    )
    return len(reported)


@dataclass
class ReviewRow:
    pk: int
    name: str
    follow_up: str
    article_id: int
    article__title: str
    parent_id: int | None = None


def review_row(review: Review) -> ReviewRow:
    return ReviewRow(
        review.pk,
        review.name,
        review.follow_up,
        review.article_id,
        review.article.title,
        review.parent_id,
    )


def follow_up_confirm(*, email: str) -> int:
    """Confirm *email* for its reviews waiting for confirmation; return how many.

    Both requests, "published" and "replies", are confirmed by the one link. Confirming is an
    explicit request for mail, so it lifts an earlier opt-out. Reviews already approved are
    announced at once.
    """
    now = timezone.now()
    unconfirmed, confirmed = Review.FollowUp.UNCONFIRMED, Review.FollowUp.CONFIRMED
    replies = Review.RepliesFollowUp
    with transaction.atomic():
        ReviewEmailOptOut.objects.filter(email_hash=ReviewEmailOptOut.hash_email(email)).delete()
        recent = Review.objects.filter(
            email=email.lower(), created_at__gte=now - followup.confirm_max_age()
        )
        ids = list(recent.filter(followup.waiting_for_confirmation()).values_list("pk", flat=True))
        published = list(recent.filter(follow_up=unconfirmed).values_list("pk", flat=True))
        Review.objects.filter(pk__in=published).update(
            follow_up=confirmed, follow_up_confirmed_at=now
        )
        recent.filter(replies_follow_up=replies.UNCONFIRMED).update(
            replies_follow_up=replies.CONFIRMED, follow_up_confirmed_at=now
        )
        published_notices_on_commit(
            Review.objects.filter(pk__in=published, status=Review.Status.APPROVED).values_list(
                "pk", flat=True
            )
        )
    return len(ids)


# -- The author's edit link (reviews.editing) ------------------------------------------------


def review_edit(
    *, review: Review, body: str, moderator: Moderator | None = None, now=None
) -> Review:
    """Change the text of *review* for its author; raise ``editing.EditRefused`` if too late.

    The text before is kept for moderators (``ReviewRevision``); the review is marked edited
    and meets the rules again (``Moderator.decide_edit``): held again by a new link or hold
    word, spam by a block word or a block. A published review's new text is judged as a new
    review's would be: it stays published only if the rules approve it (trusted
    auto-approval), otherwise it goes back to the queue, "edited after approval", and the
    moderators are told. Its story's pages are refreshed (page_changes), as when a moderator
    unpublishes a review.
    """
    moderator = moderator or Moderator()
    now = now or timezone.now()
    if not moderator.allow(review.article, now=now):
        raise editing.EditRefused(editing.EditRefused.PAUSED)
    with transaction.atomic():
        review = Review.objects.select_for_update().select_related("article").get(pk=review.pk)
        refused = editing.refusal(review, now=now)
        if refused:
            raise editing.EditRefused(refused)
        if body == review.body:
            return review
        ReviewRevision.objects.create(
            review=review, kind=ReviewRevision.Kind.EDITED, body=review.body, created_at=now
        )
        before = review.status
        review.body = body
        review.edited_at = now
        decision = moderator.decide_edit(review, status=before)
        review.status = decision.status
        review.reasons = [str(reason) for reason in decision.reasons]
        if review.status != before:
            # The rules decided, not a person.
            review.moderated_at, review.moderated_by = now, None
        if review.status == Review.Status.PENDING and before != Review.Status.PENDING:
            # Back in the queue: moderators hear of it as of a new review.
            review.notified_at = None
            transaction.on_commit(lambda: enqueue(notify_moderators, review.pk))
        review.save()
        if review.status != before:
            # Off (or on) the public page: told as a moderation is, once it commits.
            article_ids, status = {review.article_id}, review.status
            transaction.on_commit(
                lambda: reviews_changed.send(
                    sender=Review,
                    article_ids=article_ids,
                    status=status,
                    by=None,
                    moderated_at=now,
                )
            )
        log.record(
            log.Action.REVIEW_EDITED,
            story=review.article,
            obj=f"#{review.pk} {review.name}",
            details={"review": review.pk, "from": before, "to": review.status},
            at=now,
        )
    return review


def review_withdraw(*, review: Review, now=None) -> Review:
    """Take *review* off the site for its author; raise ``editing.EditRefused`` if too late.

    Kept, as withdrawn, for moderators; any mail still to be sent about it is cancelled.
    """
    now = now or timezone.now()
    waiting = (Review.FollowUp.UNCONFIRMED, Review.FollowUp.CONFIRMED)
    with transaction.atomic():
        review = Review.objects.select_for_update().select_related("article").get(pk=review.pk)
        refused = editing.refusal(review, now=now)
        if refused:
            raise editing.EditRefused(refused)
        before = review.status
        review.status = Review.Status.WITHDRAWN
        review.moderated_at, review.moderated_by = now, None
        # Nothing more is sent about it (the two follow-ups share their values).
        if review.follow_up in waiting:
            review.follow_up = Review.FollowUp.CANCELLED
        if review.replies_follow_up in waiting:
            review.replies_follow_up = Review.RepliesFollowUp.CANCELLED
        review.save()
        log.record(
            log.Action.REVIEW_WITHDRAWN,
            story=review.article,
            obj=f"#{review.pk} {review.name}",
            details={"review": review.pk, "from": before},
            at=now,
        )
    return review
