"""A reader's request for their data, kept only while its emailed link works.

The link names the request by number (signed), never the address: signed values are
readable, and links end up in mail logs and browser histories. The address waits here instead,
for the hour the link works (``datarights.links``), and is deleted with the request: at once
when nothing is held for it, by the periodic job once the hour is over, and by erasure. The
queued task names the request by number too, so the task queue never holds the address.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models import default_language, language_choices


class DataRequestQuerySet(models.QuerySet):
    def for_address(self, email: str):
        return self.filter(email=email)

    def expired(self, *, before):
        """Return the requests whose link (or, if none was sent, whose asking) predates *before*."""
        return self.filter(
            models.Q(link_sent_at__lt=before)
            | models.Q(link_sent_at__isnull=True, created_at__lt=before)
        )


class DataRequest(models.Model):
    # Lower-cased and stripped (datarights.inventory.normalise), as reviews and subscribers
    # store theirs, so one comparison finds everything.
    email = models.EmailField(_("email address"), max_length=254)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True, db_index=True)
    # The language of the page it was made on: the email and its link are in it.
    language = models.CharField(
        _("language"), max_length=10, choices=language_choices, default=default_language
    )
    # When the worker emailed the link: the link works an hour from then, and the row as long.
    link_sent_at = models.DateTimeField(_("link sent at"), null=True, blank=True)

    objects = DataRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        indexes = [models.Index(fields=["email"], name="datarights_request_email")]

    def __str__(self):
        # Not the address: this text may end up in logs and admin messages.
        return _("data request #%(id)s") % {"id": self.pk}


class ReaderData(DataRequest):
    """The moderators' "Readers' data" page in the admin: no rows of its own, one permission.

    A proxy, so that the admin lists the page and the permission has a name of its own
    (``datarights.handle_reader_data``), given to the Moderators role.
    """

    class Meta:
        proxy = True
        verbose_name = _("reader's data")
        verbose_name_plural = _("readers' data")
        default_permissions = ()
        permissions = [
            ("handle_reader_data", _("Can look up, download and erase a reader's data")),
        ]
