"""The author's edit link: change or withdraw a review (or a reply) for a while after sending.

After sending, the form's page shows a signed link (``django.core.signing``, a salt of its
own, the review's id inside), and so does the confirmation email when the reader asked for
mail. It works for ``REVIEWS_EDIT_MINUTES`` after the review was sent, for that review only:
the token's age and the review's own time must both be within the window, and the id it
carries must be the one in the address. The writes are ``reviews.services.review_edit()``
and ``review_withdraw()``.

The link stops working early when:

- the review has a reply: an approved reader's reply or the newsroom's. The conversation
  would no longer match what it answers;
- a moderator removed a passage of it (``reviews.tools.review_redact``): an edit could put
  the passage back;
- it was withdrawn.

The link names the review, never the address: links end up in logs and browser histories.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review, ReviewRevision

SALT = "reviews.edit"


class EditRefused(Exception):
    """The edit link cannot be used (any more); ``reason`` says why."""

    INVALID = "invalid"
    EXPIRED = "expired"
    REPLIED = "replied"
    REDACTED = "redacted"
    WITHDRAWN = "withdrawn"
    # Changing the text waits while reviews are paused or closed; withdrawing never does.
    PAUSED = "paused"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def window() -> timedelta:
    return timedelta(minutes=settings.REVIEWS_EDIT_MINUTES)


def closes_at(review: Review) -> datetime:
    """Return when the author's edit link of *review* stops working (at the latest)."""
    return review.created_at + window()


def edit_token(review: Review) -> str:
    return signing.dumps({"r": review.pk}, salt=SALT)


def edit_path(review: Review) -> str:
    return reverse("reviews:edit", args=[review.pk, edit_token(review)])


def review_from_token(pk: int, token: str) -> Review:
    """Return the review *token* lets its author change; raise :class:`EditRefused`.

    The review is returned (with its story) even when only :func:`refusal` would stop the
    edit: the caller says why to the reader.
    """
    try:
        payload = signing.loads(token, salt=SALT, max_age=window())
    except signing.SignatureExpired:
        raise EditRefused(EditRefused.EXPIRED) from None
    except signing.BadSignature:
        raise EditRefused(EditRefused.INVALID) from None
    if not isinstance(payload, dict) or payload.get("r") != pk:
        # Signed for another review: this address is not the one it was given for.
        raise EditRefused(EditRefused.INVALID)
    review = Review.objects.select_related("article").filter(pk=pk).first()
    if review is None:
        raise EditRefused(EditRefused.INVALID)
    return review


def refusal(review: Review, *, now: datetime | None = None) -> str | None:
    """Return why *review* can no longer be changed by its author, or None if it can."""
    if review.status == Review.Status.WITHDRAWN:
        return EditRefused.WITHDRAWN
    if (now or timezone.now()) >= closes_at(review):
        return EditRefused.EXPIRED
    if review.reply or review.replies.approved().exists():
        return EditRefused.REPLIED
    if review.revisions.filter(kind=ReviewRevision.Kind.REDACTED).exists():
        return EditRefused.REDACTED
    return None


def minutes_left(review: Review, *, now: datetime | None = None) -> int:
    """Return the whole minutes left to edit *review*, at least 1 while the window is open."""
    seconds = (closes_at(review) - (now or timezone.now())).total_seconds()
    return max(1, int(seconds // 60)) if seconds > 0 else 0
