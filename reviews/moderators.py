"""Email to moderators: one per new pending review, or a digest when the queue is busy.

While fewer than ``REVIEWS_DIGEST_THRESHOLD`` reviews wait, each new pending review is
announced on its own (:func:`notify_new_review`, run by the ``notify_moderators`` task).
From that many on the queue is *busy*: it hands over to :func:`send_digest_if_due`, which
sends one email with the pending count, the oldest waiting review and a link to the queue,
at most every ``REVIEWS_DIGEST_HOURS`` (the time of the last digest is kept in the database,
so every process agrees). ``manage.py send_moderation_digest`` does the same from cron.

A digest announces every pending review not announced yet (they get ``notified_at``), so
``manage.py notify_moderators`` never mails them one by one afterwards.

These emails are in each moderator's admin language (``serving.staff_mail``; the site's
default for an address that is no account's), whatever the language of the stories reviewed:
one email per language, to its moderators. It is activated explicitly, so that the email is
the same whoever runs the task (``manage.py``, the worker, a test).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage, get_connection
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from reviews.models import ModerationDigestState, Review
from serving.origin import absolute_url
from serving.staff_mail import in_admin_languages

logger = logging.getLogger("newsroom.reviews")
OLDEST_LISTED = 10


def moderator_emails() -> list[str]:
    """Return the addresses of active users who may moderate, else ``MODERATOR_EMAILS``."""
    permission = Permission.objects.filter(
        content_type__app_label="reviews", codename="moderate_review"
    ).first()
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    who = Q(is_superuser=True)
    if permission is not None:
        who |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    emails = sorted(set(users.filter(who).values_list("email", flat=True)))
    return emails or list(settings.MODERATOR_EMAILS)


def queue_is_busy() -> bool:
    """Return whether the queue is long enough for digests instead of single emails."""
    threshold = settings.REVIEWS_DIGEST_THRESHOLD
    if not threshold:
        return False
    return Review.objects.pending().count() >= threshold


def digest_interval() -> timedelta:
    return timedelta(hours=settings.REVIEWS_DIGEST_HOURS)


def send_to_moderators(template: str, context: dict, recipients: list[str]) -> None:
    """Send *template* to the moderators, one email per admin language, all at once."""
    messages = [
        EmailMessage(subject, body, None, addresses)
        for subject, body, addresses in in_admin_languages(template, context, recipients)
    ]
    get_connection().send_messages(messages)


def claim_digest(now) -> tuple[bool, object]:
    """Take the right to send a digest now; return (claimed, previous time).

    One conditional UPDATE, so two processes cannot both send within the interval.
    """
    state, _created = ModerationDigestState.objects.get_or_create(pk=1)
    due = Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - digest_interval())
    claimed = ModerationDigestState.objects.filter(due, pk=1).update(last_sent_at=now)
    return bool(claimed), state.last_sent_at


def send_digest_if_due(*, now=None, force: bool = False) -> bool:
    """Send the moderators' digest if reviews wait unannounced and the last one is old enough.

    Return whether a digest went out. *force* ignores the interval (for a manual run).
    """
    now = now or timezone.now()
    unannounced = Review.objects.pending().filter(notified_at__isnull=True)
    if not unannounced.exists():
        return False
    recipients = moderator_emails()
    if not recipients:
        logger.warning("Reviews are waiting, but no moderator has an email address.")
        return False
    if force:
        previous = (
            ModerationDigestState.objects.filter(pk=1)
            .values_list("last_sent_at", flat=True)
            .first()
        )
        ModerationDigestState.objects.update_or_create(pk=1, defaults={"last_sent_at": now})
    else:
        claimed, previous = claim_digest(now)
        if not claimed:
            return False
    figures = Review.objects.pending().aggregate(
        pending=Count("pk"),
        oldest=Min("created_at"),
        new=Count("pk", filter=Q(notified_at__isnull=True)),
    )
    context = {
        **figures,
        "now": now,
        "oldest_reviews": list(
            Review.objects.pending()
            .select_related("article")
            .order_by("created_at", "pk")[:OLDEST_LISTED]
        ),
        "queue_url": absolute_url(
            reverse("admin:reviews_review_changelist") + "?status__exact=pending"
        ),
        "hours": settings.REVIEWS_DIGEST_HOURS,
    }
    try:
        send_to_moderators("reviews/email/digest", context, recipients)
    except Exception:
        logger.exception("Could not send the moderators' digest; it will be tried again.")
        # Give the claim back, so the next review or cron run tries again.
        ModerationDigestState.objects.filter(pk=1, last_sent_at=now).update(last_sent_at=previous)
        return False
    unannounced.filter(created_at__lte=now).update(notified_at=now)
    return True


def notify_new_review(review_id: int) -> bool:
    """Email the moderators about one new pending review; return whether mail went out.

    A mail server that fails is logged and leaves ``notified_at`` empty, so the review stays
    stored and ``manage.py notify_moderators`` can send it later.
    """
    review = (
        Review.objects.select_related("article")
        .filter(pk=review_id, status=Review.Status.PENDING, notified_at__isnull=True)
        .first()
    )
    if review is None:
        return False
    if queue_is_busy():
        # A busy queue gets one digest every few hours instead of an email per review.
        return send_digest_if_due()
    recipients = moderator_emails()
    if not recipients:
        logger.warning("Review %s is waiting, but no moderator has an email address.", review.pk)
        return False
    context = {
        "review": review,
        "queue_url": absolute_url(
            reverse("admin:reviews_review_changelist") + "?status__exact=pending"
        ),
        "pending": Review.objects.pending().count(),
    }
    try:
        send_to_moderators("reviews/email/new_review", context, recipients)
    except Exception:
        logger.exception("Could not email moderators about review %s; it stays queued.", review.pk)
        return False
    Review.objects.filter(pk=review.pk).update(notified_at=timezone.now())
    return True


def announce_unannounced() -> int:
    """Email the moderators about pending reviews nobody was told of; return how many went.

    What a failed mail server left behind; each review is announced once.
    """
    waiting = Review.objects.pending().filter(notified_at__isnull=True).order_by("pk")
    return sum(notify_new_review(review_id) for review_id in waiting.values_list("pk", flat=True))
