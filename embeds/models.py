"""An address an editor pasted, and what its provider told us about it, fetched once.

Readers' pages draw an embed from this row alone: the player's address on the provider's
frame origin, its shape, and a thumbnail copied into our own media, so that nothing is asked
of the provider before a reader clicks. ``embeds.services.fetch_embed()`` fills it in.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from embeds.providers import is_enabled


def thumbnail_path(instance, filename: str) -> str:
    """Store a copied thumbnail under a date folder with a random name (no provider text)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in {"jpg", "jpeg", "png", "webp", "gif"}:
        # Only the raw copy is named so; the image pipeline re-encodes it under its real type.
        extension = "img"
    return f"embeds/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Embed(models.Model):
    class Status(models.TextChoices):
        OK = "ok", _("Embedded")
        FAILED = "failed", _("Failed")
        UNKNOWN_PROVIDER = "unknown_provider", _("Not an embeddable provider")

    url = models.URLField(
        _("URL"),
        max_length=500,
        unique=True,
        help_text=_("The page's address as pasted, e.g. https://www.youtube.com/watch?v=…"),
    )
    provider = models.CharField(_("provider"), max_length=20, blank=True)
    # Never fetched yet counts as failed long ago: the next fetch_embed() asks the provider.
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.FAILED
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    author_name = models.CharField(_("author"), max_length=200, blank=True)
    thumbnail = models.ImageField(
        _("thumbnail"),
        upload_to=thumbnail_path,
        width_field="thumbnail_width",
        height_field="thumbnail_height",
        blank=True,
    )
    thumbnail_width = models.PositiveIntegerField(_("thumbnail width"), default=0)
    thumbnail_height = models.PositiveIntegerField(_("thumbnail height"), default=0)
    # Storage names of the thumbnail's 16:9 renditions, by "<width>.<format>" key.
    thumbnail_renditions = models.JSONField(_("thumbnail renditions"), default=dict, blank=True)
    frame_url = models.URLField(_("player address"), max_length=1000, blank=True)
    # Only their ratio matters: the player is drawn at the column's width.
    width = models.PositiveIntegerField(_("player width"), default=640)
    height = models.PositiveIntegerField(_("player height"), default=360)
    fetched_at = models.DateTimeField(_("fetched at"), null=True, blank=True)
    error = models.CharField(
        _("problem"),
        max_length=300,
        blank=True,
        help_text=_("Why the last fetch did not give a player or a thumbnail."),
    )

    class Meta:
        verbose_name = _("embed")
        verbose_name_plural = _("embeds")
        ordering = ["-fetched_at", "-pk"]

    def __str__(self):
        return self.title or self.url

    def is_playable(self) -> bool:
        """Return whether readers get the click-to-load player rather than a plain link.

        The provider must still be enabled: the CSP lets in only enabled providers' frames.
        """
        return self.status == self.Status.OK and bool(self.frame_url) and is_enabled(self.provider)
