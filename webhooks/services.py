"""What editors do with webhooks in the admin: rotate a secret, test an endpoint, send again.

Each change to an endpoint is written to the audit log (``audit.log``), never its secret.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import log
from webhooks import payloads
from webhooks.delivery import deliver, emit
from webhooks.models import Delivery, Endpoint, Event, EventType, new_secret

# How long the old secret keeps signing beside the new one after a rotation: time for the
# receiver's owners to put the new one in place without losing a delivery.
ROTATION_GRACE = timedelta(hours=24)


def endpoint_audit_entry(endpoint: Endpoint, *, by, action: str, details: dict | None = None):
    """Write an audit entry about *endpoint*; its id and model let the log find it again."""
    return log.record(
        action,
        actor=by,
        obj=f"{Endpoint._meta.verbose_name} {endpoint.url}",
        details={"model": Endpoint._meta.label_lower, "id": endpoint.pk, **(details or {})},
    )


def endpoint_rotate_secret(*, endpoint: Endpoint, by) -> Endpoint:
    """Give *endpoint* a new secret; the old one signs beside it for ``ROTATION_GRACE``."""
    now = timezone.now()
    with transaction.atomic():
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = now + ROTATION_GRACE
        endpoint.secret = new_secret()
        endpoint.save(
            update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
        )
        endpoint_audit_entry(
            endpoint,
            by=by,
            action=log.Action.EDITED,
            details={
                "secret": "rotated",
                "previous_secret_signs_until": payloads.timestamp(
                    endpoint.previous_secret_expires_at
                ),
            },
        )
    return endpoint


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
    attempted this very moment (its row is locked; that attempt decides). A delivery that
    had used up its retries gets this one attempt; one still within its schedule goes on
    with it from here.
    """
    now = timezone.now()
    queued = 0
    with transaction.atomic():
        ids = list(queryset.values_list("pk", flat=True))
        free = (
            Delivery.objects.filter(pk__in=ids, endpoint__active=True)
            .select_for_update(of=("self",), skip_locked=True)
            .only("pk", "status", "next_attempt_at")
        )
        for delivery in free:
            delivery.status = Delivery.Status.PENDING
            delivery.next_attempt_at = now
            delivery.save(update_fields=["status", "next_attempt_at"])
            deliver.enqueue(delivery.pk)
            queued += 1
    return queued, len(ids) - queued
