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

Every email speaks the language of the story the review is on (a review belongs to one
language version of a story), and its links are under that language's prefix
(``/ru/reviews/follow-up/…``), so the pages they open speak it too. The worker that sends
them runs in the default language: each email activates the story's (:func:`language_of`).

Replies
-------
The author of a review may also tick "Email me when someone replies to my review"
(``replies_follow_up``). It goes through the same steps: the same confirmation email and
link (one click confirms both requests), the same unsubscribe. Once confirmed, each reply
approved under the review is announced once (:func:`send_reply_notices`); a reply by the
same address is not. The confirmation email also carries the author's edit link
(``reviews.editing``) while it still works.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from reviews import editing
from reviews.models import Review, ReviewEmailOptOut
from serving.origin import absolute_url

logger = logging.getLogger("newsroom.reviews")

CONFIRM_SALT = "reviews.follow-up.confirm"
UNSUBSCRIBE_SALT = "reviews.follow-up.unsubscribe"
RESEND_AFTER = timedelta(hours=1)
FollowUp = Review.FollowUp
RepliesFollowUp = Review.RepliesFollowUp


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


def wanted_replies_follow_up(review: Review, asked: bool) -> str:
    """Return the "email me when someone replies" state a new review starts with.

    Replies take no replies, so they cannot ask; spam gets nothing. A review the rules
    published at once may ask: replies come later.
    """
    if not asked or review.parent_id is not None or review.status == Review.Status.SPAM:
        return RepliesFollowUp.NONE
    if ReviewEmailOptOut.covers(review.email):
        return RepliesFollowUp.NONE
    return RepliesFollowUp.UNCONFIRMED


def waiting_for_confirmation() -> Q:
    return Q(follow_up=FollowUp.UNCONFIRMED) | Q(replies_follow_up=RepliesFollowUp.UNCONFIRMED)


# -- Sending ---------------------------------------------------------------------------------


def language_of(review: Review) -> str:
    """Return the language of *review*'s emails: its story's."""
    return review.article.language


def _message(review: Review, template: str, context: dict) -> EmailMessage:
    """Return the email *template* to *review*'s author, in the active language (the
    story's: the callers build the links of *context* with it active too)."""
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
    review = (
        Review.objects.filter(waiting_for_confirmation(), pk=review_id)
        .select_related("article")
        .first()
    )
    if review is None or ReviewEmailOptOut.covers(review.email):
        return False
    now = timezone.now()
    # One link confirms every waiting review of the address, so one email an hour is enough.
    recently_mailed = (
        Review.objects.filter(waiting_for_confirmation())
        .filter(email=review.email, follow_up_mailed_at__gte=now - RESEND_AFTER)
        .exists()
    )
    if recently_mailed:
        return False
    can_edit = editing.refusal(review, now=now) is None
    with translation.override(language_of(review)):
        message = _message(
            review,
            "follow_up_confirm",
            {
                "review": review,
                "confirm_url": confirm_url(review),
                "days": settings.REVIEWS_FOLLOW_UP_CONFIRM_DAYS,
                "published_notice": review.follow_up == FollowUp.UNCONFIRMED,
                "replies_notice": review.replies_follow_up == RepliesFollowUp.UNCONFIRMED,
                "edit_url": absolute_url(editing.edit_path(review)) if can_edit else "",
                "edit_until": editing.closes_at(review),
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
        with translation.override(language_of(review)):
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


def send_reply_notices(reply_ids) -> int:
    """Tell confirmed authors that replies to their reviews are published; return how many.

    Each reply is claimed (``parent_notified_at`` set in one conditional UPDATE) before its
    email goes out, so a task run twice sends it once; a failed send puts the claim back.
    """
    sent = 0
    replies = Review.objects.filter(
        pk__in=list(reply_ids),
        status=Review.Status.APPROVED,
        parent__status=Review.Status.APPROVED,
        parent__replies_follow_up=RepliesFollowUp.CONFIRMED,
        parent_notified_at__isnull=True,
    ).select_related("parent__article", "article")
    for reply in replies:
        review = reply.parent
        if reply.email == review.email:
            # Their own reply: nothing to tell them.
            continue
        if ReviewEmailOptOut.covers(review.email):
            Review.objects.filter(pk=review.pk).update(replies_follow_up=RepliesFollowUp.CANCELLED)
            continue
        now = timezone.now()
        claimed = Review.objects.filter(pk=reply.pk, parent_notified_at__isnull=True).update(
            parent_notified_at=now
        )
        if not claimed:
            continue
        with translation.override(language_of(review)):
            message = _message(
                review,
                "reply_published",
                {
                    "review": review,
                    "reply": reply,
                    "reply_url": absolute_url(reply.get_absolute_url()),
                },
            )
        try:
            message.send()
        except Exception:
            logger.exception("Could not tell the author of review %s of a reply.", review.pk)
            Review.objects.filter(pk=reply.pk).update(parent_notified_at=None)
            continue
        Review.objects.filter(pk=review.pk).update(follow_up_mailed_at=now)
        sent += 1
    return sent


# -- The reader's answers --------------------------------------------------------------------


def unsubscribe(email: str) -> int:
    """Stop every email about reviews to *email*; return how many waiting notices it cancels."""
    waiting = [FollowUp.UNCONFIRMED, FollowUp.CONFIRMED]
    replies_waiting = [RepliesFollowUp.UNCONFIRMED, RepliesFollowUp.CONFIRMED]
    with transaction.atomic():
        ReviewEmailOptOut.objects.get_or_create(email_hash=ReviewEmailOptOut.hash_email(email))
        mine = Review.objects.filter(email=email.lower())
        mine.filter(replies_follow_up__in=replies_waiting).update(
            replies_follow_up=RepliesFollowUp.CANCELLED
        )
        return mine.filter(follow_up__in=waiting).update(follow_up=FollowUp.CANCELLED)
