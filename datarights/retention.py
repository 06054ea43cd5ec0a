"""What is erased by age, whoever asks: client fingerprints and user agents, expired requests.

``erase_old_fingerprints`` runs in the worker every few hours (``DatarightsConfig.ready()``)
and as ``manage.py erase_old_fingerprints`` (for a cron line, or by hand). A fingerprint (a
keyed hash of the client's IP address) and a user agent help against abuse for days, not
months: after ``NEWSROOM_FINGERPRINT_RETENTION_DAYS`` they are blanked, one UPDATE per table,
and the rows themselves (a review, an opening of a preview link) stay. A reviewer block that
expired as long ago is deleted: it protects nothing any more (``reviews.personal_data``).

Nothing that reads them breaks: the review form's duplicate check looks back 24 hours; rate
limits count in the cache, not in these rows; a block keeps its own copy, and an empty
fingerprint matches no block (``ReviewerBlock.matching``) and no "same client" history. A
report's fingerprint stays unique per review (``reviews.personal_data``), so one client can
report a review once within the retention period, not for ever.
"""

from datetime import datetime, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.utils import timezone

from datarights import links
from datarights.models import DataRequest
from editorial.models import PreviewOpening
from reviews import personal_data as review_data


def erase_old_fingerprints(now: datetime | None = None) -> dict[str, int]:
    """Blank the fingerprints and user agents older than the retention period; return counts.

    Failed admin logins (django-axes) keep the IP address itself: they are blanked too, once
    the lockout they served is over as well.
    """
    now = now or timezone.now()
    before = now - timedelta(days=settings.NEWSROOM_FINGERPRINT_RETENTION_DAYS)
    done = review_data.blank_old_client_data(before=before)
    done[PreviewOpening._meta.label_lower] = (
        PreviewOpening.objects.filter(opened_at__lt=before)
        .exclude(fingerprint="", user_agent="")
        .update(fingerprint="", user_agent="")
    )
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    logins_before = min(before, now - cooloff) if isinstance(cooloff, timedelta) else before
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        done[model._meta.label_lower] = (
            model.objects.filter(attempt_time__lt=logins_before)
            .exclude(ip_address__isnull=True, user_agent="")
            .update(ip_address=None, user_agent="")
        )
    return done


def forget_expired_requests(now: datetime | None = None) -> int:
    """Delete the "Your data" requests whose link no longer works, and so their addresses."""
    before = (now or timezone.now()) - links.MAX_AGE
    deleted, _by_model = DataRequest.objects.expired(before=before).delete()
    return deleted
