"""What the reviews app holds about a reader, found by their email address: for "Your data".

The ``datarights`` app (the reader's page and the moderators') calls these; they know the
reviews' tables, it knows what a reader may ask. Nothing here emails anyone.

- :func:`export` gives everything stored with the address: each review and reply (with the
  earlier texts a moderator keeps), the "no more emails about reviews" opt-out (a hash of
  the address) and the blocks made against the address. What moderators write for each
  other is not the reader's to read: a block is given as its dates, without its note, and
  the rules' reasons as :func:`reader_reasons` words them.
- :func:`erase` removes it. ``anonymise`` (``NEWSROOM_ERASURE_REVIEWS``) keeps the text of a
  review that is part of the public conversation (published, or answered by other readers),
  under "Anonymous reader", and deletes the rest; ``delete`` deletes every review and reply,
  and the replies of others to them go with them, as when a moderator deletes a review.
  Either way the address, the fingerprint, the user agent, the follow-up requests and the
  earlier texts go, and the audit log's entries about those reviews no longer name the
  reader. Two things stay: the opt-out, a one-way hash that is how the reader's "no more
  emails" is kept (deleting it would let anyone who types the address into the review form
  make us write to it again), and a block made against the address, until it expires (see
  :func:`blocks_of`).
- :func:`blank_old_client_data` is the retention rule of fingerprints and user agents.
"""

import re
from datetime import datetime
from functools import cache

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, Count, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from audit.models import AuditEntry
from pagecache.invalidation import invalidate
from reviews.models import (
    Review,
    ReviewEmailOptOut,
    ReviewerBlock,
    ReviewReport,
    ReviewRevision,
)
from reviews.page_changes import story_pages
from serving.origin import absolute_url

ANONYMISE, DELETE = "anonymise", "delete"
ANONYMOUS_NAME = _("Anonymous reader")
ADDRESS_REMOVED = _("[address removed]")


def reviews_of(email: str):
    """Return the reviews and replies sent with *email* (stored lower-cased, as given here)."""
    return Review.objects.filter(email=email) if email else Review.objects.none()


def blocks_of(email: str):
    """Return the blocks moderators made against *email*.

    A block is the newsroom's protection against abuse, not the reader's contribution:
    erasure leaves an active block in place until it expires, since its address is what
    recognises the sender again. An expired block protects nothing and is erased.
    """
    return ReviewerBlock.objects.matching(email=email)


def export(email: str) -> dict:
    """Return everything the reviews app holds for *email*: plain values, times as datetimes.

    A story is named only while it is public: a review of a story taken down since must not
    tell what the story is called now.
    """
    reviews = list(
        reviews_of(email)
        .select_related("article")
        .prefetch_related("revisions")
        .order_by("created_at", "pk")
    )
    public = set(
        Article.objects.published()
        .filter(pk__in={review.article_id for review in reviews})
        .values_list("pk", flat=True)
    )
    opt_out = ReviewEmailOptOut.objects.filter(
        email_hash=ReviewEmailOptOut.hash_email(email)
    ).first()
    return {
        "reviews": [_review(review, review.article_id in public) for review in reviews],
        "review_email_opt_out": (
            {"address_hash": opt_out.email_hash, "unsubscribed_at": opt_out.created_at}
            if opt_out is not None
            else None
        ),
        "review_blocks": [
            # Not the note: the moderators' words for each other (see reader_reasons).
            {
                "blocked_at": block.created_at,
                "blocked_until": block.expires_at,
                "active": block.is_active(),
            }
            for block in blocks_of(email).order_by("created_at", "pk")
        ],
    }


def _review(review: Review, story_public: bool) -> dict:
    return {
        "id": review.pk,
        "kind": "reply" if review.is_reply() else "review",
        "in_reply_to": review.parent_id,
        "story": review.article.title if story_public else None,
        "story_url": absolute_url(review.article.get_absolute_url()) if story_public else None,
        "name": review.name,
        "email": review.email,
        "text": review.body,
        "status": str(review.get_status_display()),
        "sent_at": review.created_at,
        "edited_at": review.edited_at,
        "earlier_texts": [
            {
                "change": str(revision.get_kind_display()),
                "text": revision.body,
                "at": revision.created_at,
            }
            for revision in review.revisions.all()
        ],
        "newsroom_reply": review.reply or None,
        "newsroom_replied_at": review.reply_at,
        "email_when_published": str(review.get_follow_up_display()),
        "email_on_replies": str(review.get_replies_follow_up_display()),
        "moderation_notes": reader_reasons(review.reasons or []),
        "client_fingerprint": review.fingerprint or None,
        "user_agent": review.user_agent or None,
    }


# The reasons the rules store with a review (``reviews.moderation``, for the moderators'
# queue), by their untranslated text, and what the reader is told of each. Those about the
# reader's own text and record are given as written. Those that would hand over what the
# newsroom keeps internal are given as a category: a moderator's note on a block (their words
# about a person, for each other; the reader is told the block exists and until when), the
# words on the editors' lists and which spam check caught a review (told to whoever asks,
# they would teach a spammer how to get past them). A reason not listed here (a rule added
# later) is withheld until someone decides how to word it for readers.
AS_WRITTEN = (
    "%(count)d link",
    "%(count)d links",
    "Link with look-alike letters: %(host)s (%(scripts)s)",
    "Link with look-alike letters: %(host)s (%(ascii)s; %(scripts)s)",
    "new reviewer",
    "known reviewer: %(count)d approved",
    "trusted reviewer: %(count)d approved",
    "edited by its author",
    "edited after approval",
    "reported %(count)d×",
)
AS_CATEGORY = {
    "blocked reviewer: %(note)s": gettext_noop("blocked reviewer"),
    "blocked word: %(word)s": gettext_noop("a word the newsroom does not publish"),
    "held word: %(word)s": gettext_noop("a word a moderator checks"),
    "honeypot field filled in": gettext_noop("an automatic spam check"),
    "sent %(seconds).0f s after the form was shown": gettext_noop("an automatic spam check"),
}
WITHHELD = gettext_noop("a note for the moderators (not shown)")
PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0-9.]*([sdf])")
# A number stays a number: "%(count)d link" must not match "blocked word: link".
FILLED = {"s": "(?s:.+)", "d": r"\d+", "f": r"[\d.]+"}


@cache
def _reason_pattern(text: str) -> re.Pattern:
    """Return a pattern that matches a reason formatted from *text* (a format string)."""
    parts = PLACEHOLDER.split(text)
    # split() alternates the literal text and each placeholder's conversion letter.
    return re.compile(
        "".join(FILLED[part] if index % 2 else re.escape(part) for index, part in enumerate(parts))
    )


def _reason_formats() -> list[tuple[str, str | None]]:
    """Return (format, category or None for "as written"), in the source text and translated.

    A reason is stored in the language it was written in: both wordings are recognised.
    """
    formats = [(text, None) for text in AS_WRITTEN] + list(AS_CATEGORY.items())
    return [
        (wording, category)
        for text, category in formats
        for wording in dict.fromkeys((text, gettext(text)))
    ]


def reader_reasons(reasons: list[str]) -> list[str]:
    """Return the rules' *reasons* for a review as its author gets them (see ``AS_WRITTEN``)."""
    given = []
    formats = _reason_formats()
    for reason in reasons:
        reason = str(reason)
        for wording, category in formats:
            if _reason_pattern(wording).fullmatch(reason):
                given.append(reason if category is None else gettext(category))
                break
        else:
            given.append(gettext(WITHHELD))
    # "blocked reviewer" twice says no more than once.
    return list(dict.fromkeys(given))


def counts(data: dict) -> dict[str, int]:
    """Return how many things of each kind :func:`export` found."""
    return {
        "reviews": len(data["reviews"]),
        "review_email_opt_outs": int(data["review_email_opt_out"] is not None),
        "review_blocks": len(data["review_blocks"]),
    }


def _plan(email: str, mode: str):
    """Return the reviews of *email* (rows), those erasure keeps and those it deletes.

    Each row counts the replies other readers wrote to it: they go with it when it is deleted
    (``Review.parent`` cascades; a reply takes no replies of its own).
    """
    if mode not in (ANONYMISE, DELETE):
        raise ValueError(f"Unknown erasure mode: {mode!r}")
    rows = list(
        reviews_of(email)
        .annotate(others_replies=Count("replies", filter=~Q(replies__email=email)))
        .values_list("pk", "name", "article_id", "status", "others_replies", named=True)
    )
    if mode == ANONYMISE:
        # Part of the public conversation: published, or answered by other readers.
        kept = [row for row in rows if row.status == Review.Status.APPROVED or row.others_replies]
    else:
        kept = []
    keep = {row.pk for row in kept}
    dropped = [row for row in rows if row.pk not in keep]
    return rows, kept, dropped


def erasure_preview(email: str, *, mode: str) -> dict[str, int]:
    """Return what :func:`erase` would do to the reviews of *email* now, counted; change nothing.

    For the page that asks the reader to confirm: in ``delete`` mode it says how many replies
    of other readers would go with theirs.
    """
    _rows, kept, dropped = _plan(email, mode)
    return {
        "reviews_anonymised": len(kept),
        "reviews_deleted": len(dropped),
        "replies_of_others_deleted": sum(row.others_replies for row in dropped),
    }


def erase(email: str, *, mode: str) -> dict[str, int]:
    """Erase what the reviews app holds for *email* (see the module docstring); return counts."""
    with transaction.atomic():
        rows, kept, dropped = _plan(email, mode)
        keep = {row.pk for row in kept}
        audit_entries = _forget_in_logs(rows)
        anonymised = _anonymise(keep, email)
        # Earlier texts may hold exactly what the reader wanted gone; they go in either mode.
        ReviewRevision.objects.filter(review_id__in=keep).delete()
        # One by one (post_delete): each deleted review refreshes its story's cached pages.
        Review.objects.filter(pk__in=[row.pk for row in dropped]).delete()
        expired_blocks, _by_model = blocks_of(email).filter(expires_at__lte=timezone.now()).delete()
        stories = {row.article_id for row in kept}
        if stories:
            # One UPDATE sends no post_save: the stories' pages learn of it here.
            transaction.on_commit(lambda: invalidate(story_pages(stories)))
    return {
        "reviews_anonymised": anonymised,
        "reviews_deleted": len(dropped),
        "replies_of_others_deleted": sum(row.others_replies for row in dropped),
        "review_email_opt_outs_kept": ReviewEmailOptOut.objects.filter(
            email_hash=ReviewEmailOptOut.hash_email(email)
        ).count(),
        "expired_review_blocks": expired_blocks,
        "review_blocks_kept": blocks_of(email).count(),
        "audit_entries_rewritten": audit_entries,
    }


def _anonymise(ids: set[int], email: str) -> int:
    """Keep the texts of *ids* with nothing that points to their author; return how many."""
    if not ids:
        return 0
    # The address typed into a text is removed too (in any case); rare, so row by row.
    pattern = re.compile(re.escape(email), re.IGNORECASE)
    for review in Review.objects.filter(pk__in=ids, body__icontains=email).only("pk", "body"):
        Review.objects.filter(pk=review.pk).update(
            body=pattern.sub(lambda _match: str(ADDRESS_REMOVED), review.body)
        )
    return Review.objects.filter(pk__in=ids).update(
        name=str(ANONYMOUS_NAME),
        email="",
        fingerprint="",
        user_agent="",
        follow_up=Review.FollowUp.NONE,
        replies_follow_up=Review.FollowUp.NONE,
        follow_up_confirmed_at=None,
        follow_up_mailed_at=None,
    )


def _forget_in_logs(rows) -> int:
    """Stop the audit log and the admin's history naming the author of the reviews *rows*.

    Moderation entries read "#12 Nino Beridze", deletions "Review by Nino Beridze on …": the
    name becomes "Anonymous reader". The entries themselves (who did what, when) stay, and
    entries that never held the name (a block's) are left as they are.
    """
    names = {row.pk: row.name for row in rows}
    if not names:
        return 0
    ids = list(names)
    about = Q(details__review__in=ids) | Q(details__model="reviews.review", details__id__in=ids)
    entries = []
    for entry in AuditEntry.objects.filter(about).only("pk", "object_repr", "details"):
        review_id = entry.details.get("review", entry.details.get("id"))
        renamed = without_name(entry.object_repr, names.get(review_id, ""))
        if renamed != entry.object_repr:
            entry.object_repr = renamed
            entries.append(entry)
    AuditEntry.objects.bulk_update(entries, ["object_repr"])
    history = []
    for entry in LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Review),
        object_id__in=[str(pk) for pk in ids],
    ).only("pk", "object_id", "object_repr"):
        renamed = without_name(entry.object_repr, names.get(int(entry.object_id), ""))
        if renamed != entry.object_repr:
            entry.object_repr = renamed
            history.append(entry)
    LogEntry.objects.bulk_update(history, ["object_repr"])
    return len(entries) + len(history)


def without_name(text: str, name: str) -> str:
    """Return *text* with the first whole-word *name* in it replaced by "Anonymous reader".

    The first: both forms the logs write ("#12 Name", "Review by Name on “Story”") name the
    reader before the story, whose title may hold the same word.
    """
    if not name:
        return text
    anonymous = str(ANONYMOUS_NAME)
    return re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", lambda _match: anonymous, text, count=1)


def blank_old_client_data(*, before: datetime) -> dict[str, int]:
    """Erase the client fingerprints and user agents recorded before *before*; return counts.

    One UPDATE per table; rows already blank are left alone, so a daily run costs little. A
    report's fingerprint is replaced by a value of its own row (it must stay unique per
    review): the same client may then report that review once more, which after the retention
    period is a risk we take. A block keeps its address and fingerprint while it may still
    act; one that expired before *before* protects nothing and is deleted (one DELETE; the
    audit log keeps "reviewer block #N").
    """
    reviews = (
        Review.objects.filter(created_at__lt=before)
        .exclude(fingerprint="", user_agent="")
        .update(fingerprint="", user_agent="")
    )
    reports = (
        ReviewReport.objects.filter(created_at__lt=before)
        .exclude(fingerprint__startswith="erased-")
        .update(fingerprint=Concat(Value("erased-"), Cast("pk", CharField())))
    )
    blocks, _by_model = ReviewerBlock.objects.filter(expires_at__lt=before).delete()
    return {
        "reviews.review": reviews,
        "reviews.reviewreport": reports,
        "reviews.reviewerblock": blocks,
    }
