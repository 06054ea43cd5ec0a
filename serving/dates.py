"""Dates and times as the admin writes them: one format (newsroom.formats), the newsroom's zone.

For admin code that builds text itself (list columns, messages, the audit log's summaries);
templates get the same with ``{{ value }}`` or ``|date:"DATETIME_FORMAT"``. Reader pages name
their own formats (``STORY_DATETIME_FORMAT``, newsroom/formats), written in each language's words.
"""

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext


def admin_datetime(moment: datetime | None, empty: str = "–") -> str:
    """Return *moment* in the newsroom's time zone and date format ("9 Dec 2026, 09:52")."""
    if moment is None:
        return empty
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def time_zone_note() -> str:
    """Return the note that says which zone the admin's times are in ("Times in Europe/Berlin.")."""
    return gettext("Times in %(zone)s.") % {"zone": timezone.get_current_timezone_name()}
