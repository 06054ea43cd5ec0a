"""The editorial desk: preview links for outsiders, who has a story open, what is coming up.

- ``PreviewLink`` and ``PreviewOpening``: a share link for someone without an account. Only a
  SHA-256 hash of its token is stored, so the table alone opens nothing.
- ``EditPresence``: who has a story's change page open, for "being edited by … since …".
- ``UpcomingStory``: a proxy of ``Article`` for the admin's "Upcoming" list.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article


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
        return str(self.opened_at)


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
        return reverse("articles:preview", kwargs={"pk": self.pk})
