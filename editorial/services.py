"""Writes of the editorial app: preview links, their openings, edit presence, and the review
workflow's notes.

The story admin (``editorial.admin``) and the public share view call these functions; each
preview link created or revoked, each note and each send-back is written to the audit log.

The review workflow: a story sent to review (``articles.signals.stories_sent_to_review``)
resolves its send-back note and has the editors emailed by the worker
(:func:`review_requested`); an editor sends it back with a note (:func:`story_send_back`),
which its authors see on the story, on their dashboard and by email.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from articles import services as article_services
from articles.models import Article
from audit import log
from editorial import tasks
from editorial.models import EditPresence, PreviewLink, PreviewOpening, StoryNote, token_hash

User = AbstractBaseUser | AnonymousUser

# Hours a preview link may live; the admin offers exactly these.
EXPIRY_HOURS = (1, 6, 24, 48, 24 * 7, 24 * 14)
USER_AGENT_LENGTH = PreviewOpening._meta.get_field("user_agent").max_length


def expiry_choices() -> list[tuple[int, str]]:
    choices = []
    for hours in EXPIRY_HOURS:
        if hours % 24:
            label = ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
        else:
            days = hours // 24
            label = ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
        choices.append((hours, label))
    return choices


def can_share(article: Article) -> bool:
    """Return whether *article* may get a preview link: only while the public cannot see it,
    and not once it came down at its "unpublish at" (its links no longer open it)."""
    return not article.is_published() and not article.is_expired()


def preview_link_create(
    *, article: Article, by: User, hours: int, label: str = ""
) -> tuple[PreviewLink, str]:
    """Create a preview link valid for *hours*; return it and its token (shown only once).

    Only the token's hash is stored: whoever reads the database cannot open the story.
    """
    if hours not in EXPIRY_HOURS:
        raise ValueError(f"Unsupported preview link lifetime: {hours!r} hours")
    now = timezone.now()
    with transaction.atomic():
        while True:
            token = secrets.token_urlsafe(32)
            try:
                # A savepoint: a (practically impossible) clash must not spoil the transaction.
                with transaction.atomic():
                    link = PreviewLink.objects.create(
                        article=article,
                        token_hash=token_hash(token),
                        label=label.strip(),
                        created_by=by if by.is_authenticated else None,
                        created_at=now,
                        expires_at=now + timedelta(hours=hours),
                    )
                break
            except IntegrityError:
                continue
        log.record(
            log.Action.PREVIEW_CREATED,
            actor=by,
            story=article,
            obj=link,
            details={"link": link.pk, "expires_at": link.expires_at.isoformat(), "hours": hours},
        )
    return link, token


def preview_link_revoke(*, link: PreviewLink, by: User) -> bool:
    """Revoke *link* at once; return False if it was already revoked."""
    now = timezone.now()
    with transaction.atomic():
        changed = PreviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=by if by.is_authenticated else None
        )
        if not changed:
            return False
        link.revoked_at = now
        log.record(
            log.Action.PREVIEW_REVOKED,
            actor=by,
            story_id=link.article_id,
            story_title=link.article.title,
            obj=link,
            details={"link": link.pk},
        )
    return True


def preview_link_for_token(token: str) -> PreviewLink | None:
    """Return the link a token opens (in any state), or None for an unknown token."""
    return (
        PreviewLink.objects.select_related("article").filter(token_hash=token_hash(token)).first()
    )


def opening_fingerprint(ip: str) -> str:
    """Return a keyed hash of a visitor's IP address (HMAC-SHA256 with SECRET_KEY).

    Its own salt, so openings cannot be matched against the fingerprints of reviews.
    """
    return salted_hmac("editorial.preview-opening", ip or "", algorithm="sha256").hexdigest()


def preview_opening_record(*, link: PreviewLink, ip: str, user_agent: str = "") -> PreviewOpening:
    """Log one opening of *link*: the time and a fingerprint, never the address itself."""
    return PreviewOpening.objects.create(
        link=link,
        fingerprint=opening_fingerprint(ip),
        user_agent=(user_agent or "")[:USER_AGENT_LENGTH],
    )


# -- Who has a story open -------------------------------------------------------------------


def presence_window() -> timedelta:
    return timedelta(seconds=settings.EDITORIAL_PRESENCE_SECONDS)


def presence_touch(*, article: Article, user: User, now=None) -> None:
    """Note that *user* has *article*'s change page open now.

    "Since" is kept while the user keeps coming back within the presence window, and starts
    again after a longer absence.
    """
    now = now or timezone.now()
    updated = EditPresence.objects.filter(
        article=article, user=user, seen_at__gte=now - presence_window()
    ).update(seen_at=now)
    if updated:
        return
    try:
        with transaction.atomic():
            EditPresence.objects.update_or_create(
                article=article, user=user, defaults={"since": now, "seen_at": now}
            )
    except IntegrityError:
        # The same person's other tab got there first; its row will do.
        pass


def presence_others(*, article: Article, user: User, now=None) -> list[EditPresence]:
    """Return the other people who had *article* open within the presence window."""
    now = now or timezone.now()
    return list(
        EditPresence.objects.filter(article=article, seen_at__gte=now - presence_window())
        .exclude(user=user)
        .select_related("user")
        .order_by("since")
    )


def presence_clear(*, article: Article, user: User) -> None:
    """Forget that *user* has *article* open (they saved and left the page)."""
    EditPresence.objects.filter(article=article, user=user).delete()


# -- The review workflow ----------------------------------------------------------------------


def display_name(user: User | None) -> str:
    """Return how a colleague is named in notes and emails: full name, else user name."""
    if user is None or not user.is_authenticated:
        return ""
    return user.get_full_name() or user.get_username()


def review_requested(*, article_ids: set[int], by: User | None) -> None:
    """Note that *article_ids* went to review: resolve their send-back notes, tell the editors.

    Called in the transaction of the change (``editorial.receivers``), so the editors' email
    is queued with it, or not at all.
    """
    if not article_ids:
        return
    StoryNote.objects.unresolved().filter(article_id__in=article_ids).update(
        resolved_at=timezone.now()
    )
    by_id = by.pk if by is not None and by.is_authenticated else None
    tasks.notify_editors_of_review.enqueue(sorted(article_ids), by_id)


def story_note_add(*, article: Article, by: User, text: str) -> StoryNote:
    """Add an internal note to *article*, for the staff only; audited."""
    text = text.strip()
    if not text:
        raise ValueError("A note needs a text.")
    with transaction.atomic():
        note = StoryNote.objects.create(
            article=article,
            author=by if by.is_authenticated else None,
            author_name=display_name(by),
            kind=StoryNote.Kind.NOTE,
            text=text,
        )
        log.record(
            log.Action.NOTE_ADDED, actor=by, story=article, obj=note, details={"note": note.pk}
        )
    return note


class NotInReview(Exception):
    """The story is not in review (any more): there is nothing to send back."""


def story_send_back(*, article: Article, by: User, text: str) -> StoryNote:
    """Send *article* back from review to its authors with a note (editors only).

    The story becomes a draft again (``articles.services.article_send_back()``, audited as
    "sent back" with the note's id), the note waits for it to come back to review, and the
    worker emails it to the authors. Raise ``PermissionDenied`` without the publish
    permission and :class:`NotInReview` if someone moved the story meanwhile.
    """
    if not article_services.can_publish(by):
        raise PermissionDenied("Only editors send stories back.")
    text = text.strip()
    if not text:
        raise ValueError("A story is sent back with a note.")
    with transaction.atomic():
        # Locked, so that two editors (or an editor and the author) cannot cross.
        story = Article.objects.select_for_update().filter(pk=article.pk).first()
        if story is None or story.status != Article.Status.REVIEW:
            raise NotInReview
        note = StoryNote.objects.create(
            article=story,
            author=by,
            author_name=display_name(by),
            kind=StoryNote.Kind.SENT_BACK,
            text=text,
        )
        article_services.article_send_back(article=story, by=by, details={"note": note.pk})
        tasks.notify_authors_of_send_back.enqueue(note.pk)
    article.status, article.version = story.status, story.version
    return note
