from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def admin_language_choices() -> list[tuple[str, str]]:
    """The site's languages (``NEWSROOM_LANGUAGES``), read when asked: no migration per
    deployment's languages."""
    return settings.LANGUAGES


class AdminPreferences(models.Model):
    """What one member of the team chose for their own admin pages.

    No row, or an empty language, means "as my browser says" (``Accept-Language``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="admin_preferences",
    )
    language = models.CharField(
        _("admin language"), max_length=10, blank=True, choices=admin_language_choices
    )

    class Meta:
        verbose_name = _("admin preferences")
        verbose_name_plural = _("admin preferences")

    def __str__(self):
        return str(self.user)
