"""Partner keys: what staff hand to an agency or an app to read the API as a named partner.

A key is a long random token with a short public prefix (``nr_ab12cd34_…``). Only the prefix,
to find the key and to show it ("nr_ab12cd34…"), and a SHA-256 hash of the whole token are
stored; the token itself is shown once, when the key is created (``api.keys``).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Every key starts with this, so that a key pasted somewhere it should not be is recognisable
# (secret scanners look for such prefixes).
KEY_PREFIX = "nr_"
DEFAULT_LIFETIME = timedelta(days=365)


def default_expiry():
    return timezone.now() + DEFAULT_LIFETIME


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        """Return the keys that open the API now: not revoked, not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiKey(models.Model):
    class Scope(models.TextChoices):
        EMBARGO = "embargo", _("Embargo: also sees scheduled stories before their time")

    name = models.CharField(
        _("name"),
        max_length=150,
        help_text=_("Who holds the key and what for, e.g. “Caucasus Wire, syndication”."),
    )
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    scopes = models.JSONField(
        _("scopes"),
        default=list,
        blank=True,
        help_text=_("What the key opens beyond what every reader sees."),
    )
    expires_at = models.DateTimeField(
        _("expires at"),
        default=default_expiry,
        help_text=_("From this time on the key is refused (401)."),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    use_count = models.PositiveBigIntegerField(_("requests"), default=0, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.name} ({self.masked})"

    @property
    def masked(self) -> str:
        """The key as it may be shown anywhere: its public prefix only."""
        return f"{KEY_PREFIX}{self.prefix}…"

    def is_active(self, now=None) -> bool:
        """Return whether the key opens the API now: the rule of ``ApiKey.objects.active()``."""
        return self.revoked_at is None and self.expires_at > (now or timezone.now())

    is_active.boolean = True
    is_active.short_description = _("active")

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])
