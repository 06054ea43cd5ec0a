"""The database half of an invalidation: written with the change, deleted once confirmed."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingInvalidation(models.Model):
    """A subject whose cached pages must go, not yet confirmed by the shared cache.

    Written in the transaction of the change itself, so it exists exactly when the change
    does. The process that made the change deletes it once the shared cache took the new
    generation; if the cache refused, the next lease renewal replays it (pagecache.invalidation).
    Normally the table is empty.
    """

    subject = models.CharField(_("subject"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pending page-cache invalidation")
        verbose_name_plural = _("pending page-cache invalidations")

    def __str__(self):
        return self.subject
