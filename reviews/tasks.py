"""Background work for reviews, run by django-tasks (the backport of Django's tasks framework).

Locally and in tests the ``ImmediateBackend`` runs a task as soon as it is enqueued (after the
review's transaction commits). A deployment that wants mail sent outside the request sets
``TASKS`` to a worker backend (for example django-tasks-db's database backend) with no code
change here.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from reviews.models import Review
from serving.origin import absolute_url

logger = logging.getLogger("newsroom.reviews")


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


@task()
def notify_moderators(review_id: int) -> bool:
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
    from editorial.digest import queue_is_busy, send_digest_if_due

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
    subject = render_to_string("reviews/email/new_review_subject.txt", context)
    body = render_to_string("reviews/email/new_review.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, None, recipients)
    except Exception:
        logger.exception("Could not email moderators about review %s; it stays queued.", review.pk)
        return False
    Review.objects.filter(pk=review.pk).update(notified_at=timezone.now())
    return True
