"""Readers' reports of published reviews and replies, and the hold they can trigger.

Every published review and reply has a "Report" link to a page of its own (never cached),
where a reader picks a reason. :func:`review_report` stores one report per client and
review (the client is the keyed hash of its address, ``services.client_fingerprint``; the
address is never stored), counted in the same rate limit as the reader's reviews.

Once ``ModerationSettings.report_threshold`` different clients have open reports on a
published review, it goes back to the queue: status pending, "reported 3×" added to its
reasons, the moderators told as of a new review, the story's cached pages refreshed (as
when a moderator unpublishes one: ``reviews_changed``), and the hold written to the audit
log. A moderator who approves it again dismisses its reports (``services.reports_dismiss``).

A report from a blocked client, or one that fell into the form's traps (honeypot, sent
faster than a person reads), is answered like any other and not stored: whoever sends it
learns nothing.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit import log
from reviews.models import ModerationSettings, Review, ReviewReport
from reviews.moderation import Moderator, reported
from reviews.services import enqueue
from reviews.signals import reviews_changed
from reviews.tasks import notify_moderators

TEXT_LENGTH = ReviewReport._meta.get_field("text").max_length


@dataclass
class ReportResult:
    # False: this client had reported the review already (nothing new was stored).
    stored: bool
    held: bool = False


def review_report(
    *,
    review: Review,
    reason: str,
    text: str = "",
    fingerprint: str,
    trapped: bool = False,
    rules: ModerationSettings | None = None,
) -> ReportResult:
    """Store a reader's report of *review* and hold it if enough clients reported it.

    *trapped* says the form's defences caught a script: nothing is stored, and the answer
    is the one a person gets.
    """
    if trapped or Moderator.block_of(fingerprint=fingerprint) is not None:
        return ReportResult(stored=True)
    rules = rules or ModerationSettings.load()
    with transaction.atomic():
        try:
            # A savepoint of its own: on PostgreSQL a refused INSERT spoils the transaction.
            with transaction.atomic():
                ReviewReport.objects.create(
                    review=review,
                    reason=reason,
                    text=text[:TEXT_LENGTH],
                    fingerprint=fingerprint,
                )
        except IntegrityError:
            return ReportResult(stored=False)
        held = hold_if_reported(review, threshold=rules.report_threshold)
    return ReportResult(stored=True, held=held)


def hold_if_reported(review: Review, *, threshold: int) -> bool:
    """Send *review* back to the queue if *threshold* clients reported it; return whether.

    One conditional UPDATE (still approved), so two reports arriving together hold it once.
    """
    if not threshold:
        return False
    count = ReviewReport.objects.open().filter(review=review).count()
    if count < threshold:
        return False
    now = timezone.now()
    reasons = [*review.reasons, str(reported(count))]
    held = Review.objects.filter(pk=review.pk, status=Review.Status.APPROVED).update(
        status=Review.Status.PENDING,
        reasons=reasons,
        moderated_at=now,
        moderated_by=None,
        notified_at=None,
    )
    if not held:
        return False
    review.status, review.reasons = Review.Status.PENDING, reasons
    log.record(
        log.Action.REVIEW_HELD,
        story=review.article,
        obj=f"#{review.pk} {review.name}",
        details={"review": review.pk, "reports": count},
        at=now,
    )
    article_ids = {review.article_id}
    transaction.on_commit(
        lambda: reviews_changed.send(
            sender=Review,
            article_ids=article_ids,
            status=Review.Status.PENDING,
            by=None,
            moderated_at=now,
        )
    )
    transaction.on_commit(lambda: enqueue(notify_moderators, review.pk))
    return True
