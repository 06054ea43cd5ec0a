"""What editors do with webhooks in the admin: rotate a secret, test an endpoint, send again.

Each change to an endpoint is written to the audit log (``audit.log``), never its secret.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import log
from webhooks import payloads
from webhooks.delivery import deliver, emit
from webhooks.models import Delivery, Endpoint, Event, EventType

# How long a replaced secret keeps signing beside the new one after a rotation: time for the
# receiver's owners to put the new one in place without losing a delivery.
ROTATION_GRACE = timedelta(hours=24)
# The most replaced secrets signing at once: each adds a signature to every delivery.
MOST_EARLIER_SECRETS = 5


class RotationRefused(ValueError):
    """A rotation that would sign with too many secrets; the message says what to do."""


def endpoint_audit_entry(endpoint: Endpoint, *, by, action: str, details: dict | None = None):
    """Write an audit entry about *endpoint*; its id and model let the log find it again."""
    return log.record(
        action,
        actor=by,
        obj=f"{Endpoint._meta.verbose_name} {endpoint.url}",
        details={"model": Endpoint._meta.label_lower, "id": endpoint.pk, **(details or {})},
    )


def endpoint_rotate_secret(*, endpoint: Endpoint, by) -> datetime:
    """Give *endpoint* a new secret; return when the one it replaces stops signing.

    Every replaced secret signs beside the new one for ``ROTATION_GRACE`` after its own
    rotation, however close together the rotations (a double-click makes two): the receiver
    may already use any secret an editor was shown, and refusing a second rotation would
    keep a secret that leaked twice in use for a day. Past ``MOST_EARLIER_SECRETS`` still
    signing, :class:`RotationRefused`.
    """
    with transaction.atomic():
        # Read again under the row's lock: two rotations at once each keep the other's.
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        if len(endpoint.earlier_secrets()) >= MOST_EARLIER_SECRETS:
            raise RotationRefused(
                _(
                    "Not rotated: %(count)d replaced secrets still sign beside the current "
                    "one. Rotate again once the oldest has stopped (see “Signing”)."
                )
                % {"count": MOST_EARLIER_SECRETS}
            )
        until = endpoint.rotate_secret(grace=ROTATION_GRACE)
        endpoint.save(update_fields=["secret", "previous_secrets", "updated_at"])
        endpoint_audit_entry(
            endpoint,
            by=by,
            action=log.Action.EDITED,
            details={
                "secret": "rotated",
                "previous_secret_signs_until": payloads.timestamp(until),
            },
        )
    return until


def endpoint_send_test(*, endpoint: Endpoint) -> Event:
    """Queue a ``webhook.test`` event for *endpoint* alone, active or not, and return it."""
    now = timezone.now()
    data = {
        "endpoint": endpoint.pk,
        "message": _("A test event from %(site)s.") % {"site": settings.NEWSROOM_SITE_NAME},
        "site_url": settings.SITE_URL,
        "sent_at": payloads.timestamp(now),
    }
    key = f"{EventType.TEST}:{uuid.uuid4().hex}"
    with transaction.atomic():
        return emit(EventType.TEST, key=key, data=data, endpoints=[endpoint])


def deliveries_send_again(*, queryset: QuerySet[Delivery]) -> tuple[int, int]:
    """Queue a new attempt now of each delivery of *queryset*; return (queued, skipped).

    The same event goes again, with the same ``webhook-id``, so a receiver that had it
    already can tell. Skipped: deliveries whose endpoint is switched off, and any being
    attempted this very moment (its lease runs; that attempt decides). A delivery that had
    used up its retries gets this one attempt; one still within its schedule goes on with it
    from here.
    """
    now = timezone.now()
    ids = list(queryset.values_list("pk", flat=True))
    under_way = Q(
        status=Delivery.Status.PENDING, attempt_started_at__isnull=False, next_attempt_at__gt=now
    )
    free = Delivery.objects.filter(endpoint__active=True).exclude(under_way)
    queued = 0
    with transaction.atomic():
        for delivery_id in ids:
            # One conditional UPDATE each: an attempt claimed meanwhile is left alone.
            if free.filter(pk=delivery_id).update(
                status=Delivery.Status.PENDING, next_attempt_at=now, attempt_started_at=None
            ):
                deliver.enqueue(delivery_id)
                queued += 1
    return queued, len(ids) - queued
