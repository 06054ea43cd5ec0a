"""The editorial desk: preview links for outsiders, who has a story open, what is coming up.

- ``PreviewLink`` and ``PreviewOpening``: a share link for someone without an account. Only a
  SHA-256 hash of its token is stored, so the table alone opens nothing.
- ``EditPresence``: who has a story's change page open, for "being edited by … since …".
- ``UpcomingStory``: a proxy of ``Article`` for the admin's "Upcoming" list.
- ``StoryNote``: the review workflow's notes on a story, for staff only: internal notes, and
  the note an editor sends a story back to its authors with. A story sent back is a draft
  with an unresolved send-back note; sending it to review again resolves the note.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from serving.dates import admin_datetime

# Long enough for a thorough editor, short enough for an email and the dashboard.
NOTE_MAX_LENGTH = 4000


def token_hash(token: str) -> str:
    """Return the stored form of a preview token: its SHA-256 hex digest."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


class PreviewLinkQuerySet(models.QuerySet):
    def active(self, now=None):
        """Return the links that still open their story: not revoked and not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class PreviewLink(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    article = models.ForeignKey(
        Article,
        verbose_name=_("story"),
        on_delete=models.CASCADE,
        related_name="preview_links",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    label = models.CharField(
        _("shared with"),
        max_length=100,
        blank=True,
        help_text=_("Who the link is for, e.g. “our lawyer” or “translator”. Only staff see it."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")

    def __str__(self):
        label = self.label or _("preview link")
        return f"{label} · {self.article}"

    def state(self, now=None) -> str:
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.State.EXPIRED
        return self.State.ACTIVE

    def is_active(self, now=None) -> bool:
        return self.state(now) == self.State.ACTIVE


class PreviewOpening(models.Model):
    """One opening of a preview link: when, and a keyed hash of the client (never its IP)."""

    link = models.ForeignKey(
        PreviewLink, verbose_name=_("link"), on_delete=models.CASCADE, related_name="openings"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    fingerprint = models.CharField(
        _("client fingerprint"),
        max_length=64,
        help_text=_("A keyed hash of the visitor's IP address; the address itself is not kept."),
    )
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)

    class Meta:
        ordering = ("-opened_at", "-pk")
        verbose_name = _("opening")
        verbose_name_plural = _("openings")
        indexes = [models.Index(fields=["link", "opened_at"], name="preview_opening_link")]

    def __str__(self):
        return admin_datetime(self.opened_at)


class EditPresence(models.Model):
    """A user who has a story's change page open (refreshed on every open and save)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(_("editing since"))
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("edit presence")
        verbose_name_plural = _("edit presences")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="edit_presence_unique")
        ]

    def __str__(self):
        return f"{self.user} · {self.article_id}"


class UpcomingStory(Article):
    """Stories scheduled to appear by themselves, for the admin's "Upcoming" list."""

    class Meta:
        proxy = True
        verbose_name = _("upcoming story")
        verbose_name_plural = _("upcoming stories")

    def get_absolute_url(self):
        # The preview under the story's own language's prefix, whatever the admin speaks.
        with translation.override(self.language):
            return reverse("articles:preview", kwargs={"pk": self.pk})


class StoryNoteQuerySet(models.QuerySet):
    def internal(self):
        return self.filter(kind=StoryNote.Kind.NOTE)

    def sent_back(self):
        return self.filter(kind=StoryNote.Kind.SENT_BACK)

    def unresolved(self):
        """Return the send-back notes still waiting for their story to go to review again."""
        return self.sent_back().filter(resolved_at__isnull=True)

    def newest_first(self):
        return self.order_by("-created_at", "-pk")


class StoryNote(models.Model):
    """A note on a story for the staff who work on it: never shown to readers.

    Kept apart from the story (not a field of it), so that no page, feed, API answer, search
    index or version in the story's history can carry it by accident.
    """

    class Kind(models.TextChoices):
        NOTE = "note", _("internal note")
        SENT_BACK = "sent_back", _("sent back to the author")

    article = models.ForeignKey(
        Article, verbose_name=_("story"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as written, so the note still says who after an account is deleted or renamed.
    author_name = models.CharField(_("written by (name)"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    resolved_at = models.DateTimeField(
        _("resolved at"),
        null=True,
        blank=True,
        help_text=_("When the story went to review again after being sent back."),
    )
    # When the authors were emailed the send-back note: a task run twice mails them once.
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    objects = StoryNoteQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("story note")
        verbose_name_plural = _("story notes")
        indexes = [
            models.Index(fields=["article", "kind", "-created_at"], name="story_note_article"),
            models.Index(fields=["kind", "-created_at"], name="story_note_kind"),
        ]

    def __str__(self):
        # Never the text: this names the note in the audit log and deletion summaries.
        when = admin_datetime(self.created_at)
        return f"{self.get_kind_display()} · {self.author_name or '–'} · {when}"
