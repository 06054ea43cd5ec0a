"""Tell a reader when their review is published, with their consent confirmed first.

1. The reader ticks "Email me when my review is published". ``review_submit()`` marks the
   review ``unconfirmed`` and, after the commit, :func:`send_confirmation` emails a signed
   link (``django.core.signing``, its own salt, valid ``REVIEWS_FOLLOW_UP_CONFIRM_DAYS``).
   Nothing else is ever sent to an address that has not confirmed.
2. Opening the link shows a button; pressing it (a POST, so mail scanners that follow
   links confirm nothing) confirms the address for its reviews waiting for confirmation
   (``reviews.services.follow_up_confirm()``).
3. When a moderator approves a confirmed review, ``review_moderate()`` has
   :func:`send_published_notices` run after the commit: one email with a link to the review.
4. Every email carries a one-click unsubscribe (RFC 8058: ``List-Unsubscribe`` and
   ``List-Unsubscribe-Post`` headers, and a link to a page with a button). Unsubscribing
   records the address in ``ReviewEmailOptOut`` and cancels what was still to be sent.

Spam and reviews the rules published at once get no confirmation email; at most one
confirmation goes to an address per hour, so the form cannot be used to flood a mailbox.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review, ReviewEmailOptOut
from serving.origin import absolute_url

logger = logging.getLogger("newsroom.reviews")

CONFIRM_SALT = "reviews.follow-up.confirm"
UNSUBSCRIBE_SALT = "reviews.follow-up.unsubscribe"
RESEND_AFTER = timedelta(hours=1)
FollowUp = Review.FollowUp


def confirm_max_age() -> timedelta:
    return timedelta(days=settings.REVIEWS_FOLLOW_UP_CONFIRM_DAYS)


# Tokens name a review, not the address: signed values are readable, and links end up in
# logs and browser histories, where an address has no business.


def confirm_token(review: Review) -> str:
    return signing.dumps({"r": review.pk}, salt=CONFIRM_SALT)


def unsubscribe_token(review: Review) -> str:
    # No expiry: an unsubscribe link must keep working for as long as the email is read.
    return signing.dumps({"r": review.pk}, salt=UNSUBSCRIBE_SALT)


def review_from_confirm_token(token: str) -> Review:
    """Return the review a confirmation token names; raise signing.BadSignature if invalid.

    An expired token raises ``signing.SignatureExpired`` (a BadSignature).
    """
    return _review(signing.loads(token, salt=CONFIRM_SALT, max_age=confirm_max_age()))


def review_from_unsubscribe_token(token: str) -> Review:
    return _review(signing.loads(token, salt=UNSUBSCRIBE_SALT))


def _review(payload) -> Review:
    review_id = payload.get("r") if isinstance(payload, dict) else None
    review = Review.objects.filter(pk=review_id).first() if isinstance(review_id, int) else None
    if review is None:
        raise signing.BadSignature("The token names no review.")
    return review


def confirm_url(review: Review) -> str:
    return absolute_url(reverse("reviews:follow-up-confirm", args=[confirm_token(review)]))


def unsubscribe_url(review: Review) -> str:
    return absolute_url(reverse("reviews:follow-up-unsubscribe", args=[unsubscribe_token(review)]))


def wanted_follow_up(review: Review, asked: bool) -> str:
    """Return the follow-up state a new review starts with (see ``review_submit()``)."""
    if not asked or review.status != Review.Status.PENDING:
        # Spam learns nothing and gets nothing; a review the rules published needs no notice.
        return FollowUp.NONE
    if ReviewEmailOptOut.covers(review.email):
        return FollowUp.NONE
    return FollowUp.UNCONFIRMED


# -- Sending ---------------------------------------------------------------------------------


def _message(review: Review, template: str, context: dict) -> EmailMessage:
    unsubscribe = unsubscribe_url(review)
    context = {**context, "unsubscribe_url": unsubscribe, "site_name": settings.NEWSROOM_SITE_NAME}
    subject = " ".join(render_to_string(f"reviews/email/{template}_subject.txt", context).split())
    body = render_to_string(f"reviews/email/{template}.txt", context)
    return EmailMessage(
        subject,
        body,
        to=[review.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # Transactional mail: no out-of-office replies, please.
            "Auto-Submitted": "auto-generated",
        },
    )


def send_confirmation(review_id: int) -> bool:
    """Email the confirmation link for a review's "email me" request; return whether sent."""
    review = Review.objects.filter(pk=review_id, follow_up=FollowUp.UNCONFIRMED).first()
    if review is None or ReviewEmailOptOut.covers(review.email):
        return False
    now = timezone.now()
    # One link confirms every waiting review of the address, so one email an hour is enough.
    recently_mailed = Review.objects.filter(
        email=review.email,
        follow_up=FollowUp.UNCONFIRMED,
        follow_up_mailed_at__gte=now - RESEND_AFTER,
    ).exists()
    if recently_mailed:
        return False
    message = _message(
        review,
        "follow_up_confirm",
        {
            "review": review,
            "confirm_url": confirm_url(review),
            "days": settings.REVIEWS_FOLLOW_UP_CONFIRM_DAYS,
        },
    )
    try:
        message.send()
    except Exception:
        logger.exception("Could not send the follow-up confirmation for review %s.", review.pk)
        return False
    Review.objects.filter(pk=review.pk).update(follow_up_mailed_at=now)
    return True


def send_published_notices(review_ids) -> int:
    """Tell confirmed readers that their approved reviews are published; return how many.

    Each review is claimed (confirmed → sent) in one UPDATE before its email goes out, so
    two processes never send the same notice; a failed send puts the claim back.
    """
    sent = 0
    candidates = Review.objects.filter(
        pk__in=list(review_ids), follow_up=FollowUp.CONFIRMED, status=Review.Status.APPROVED
    ).select_related("article")
    for review in candidates:
        if ReviewEmailOptOut.covers(review.email):
            Review.objects.filter(pk=review.pk).update(follow_up=FollowUp.CANCELLED)
            continue
        claimed = Review.objects.filter(pk=review.pk, follow_up=FollowUp.CONFIRMED).update(
            follow_up=FollowUp.SENT, follow_up_mailed_at=timezone.now()
        )
        if not claimed:
            continue
        message = _message(
            review,
            "follow_up_published",
            {"review": review, "review_url": absolute_url(review.get_absolute_url())},
        )
        try:
            message.send()
        except Exception:
            logger.exception("Could not tell the reader that review %s is published.", review.pk)
            Review.objects.filter(pk=review.pk).update(follow_up=FollowUp.CONFIRMED)
            continue
        sent += 1
    return sent


# -- The reader's answers --------------------------------------------------------------------


def unsubscribe(email: str) -> int:
    """Stop every email about reviews to *email*; return how many waiting notices it cancels."""
    with transaction.atomic():
        ReviewEmailOptOut.objects.get_or_create(email_hash=ReviewEmailOptOut.hash_email(email))
        return Review.objects.filter(
            email=email.lower(), follow_up__in=[FollowUp.UNCONFIRMED, FollowUp.CONFIRMED]
        ).update(follow_up=FollowUp.CANCELLED)
