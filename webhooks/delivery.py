"""Record events and deliver them: at least once, retried with backoff, then given up.

:func:`emit` records an event once (its key is unique) and a pending delivery for each
active endpoint subscribed to its type, and queues a :func:`deliver` task for each, all in
the caller's transaction: the queue is a table of the same database, so an event is never
recorded without its deliveries queued, nor queued without being recorded.

:func:`deliver` (the worker runs it) makes one attempt: a POST of the stored body, signed
for this attempt. A 2xx is success. Anything else (another status, a timeout, a refused
connection, an address that is no longer public) is a failure: the next attempt is queued
after the next delay of ``WEBHOOK_RETRY_SCHEDULE`` (a little later, at random, so that
endpoints failing together are not retried together; later still if the endpoint asked with
``Retry-After``), and after the last one the delivery is marked failed and logged. A ``410
Gone`` switches the endpoint off, as Standard Webhooks asks.

A task may run twice (its worker died and it was queued again, worker.supervision): on
PostgreSQL the attempt holds the delivery's row lock from its check to its record, so a
second run waits, then finds the delivery done and sends nothing. SQLite has no row lock:
there the check is a plain read, and two workers could both send; SQLite is for one
developer's machine, with one worker. A run that finds its delivery not due (another
attempt was made since, "send again" for example) does nothing: each attempt queues the
next one itself.
"""

import http.client
import logging
import random
import time
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from serving.text import without_control_characters
from webhooks import network, payloads, signing
from webhooks.models import Delivery, Endpoint, Event, EventType

logger = logging.getLogger("newsroom.webhooks")

ERROR_LENGTH = Delivery._meta.get_field("last_error").max_length
REASON_LENGTH = Endpoint._meta.get_field("disabled_reason").max_length
# Each retry waits its scheduled delay plus up to this share of it, at random.
JITTER = 0.1
# The longest a Retry-After header may push the next attempt back.
LONGEST_RETRY_AFTER = timedelta(days=1)


def subscribers(event_type: str) -> list[Endpoint]:
    """Return the active endpoints subscribed to *event_type*."""
    return [
        endpoint for endpoint in Endpoint.objects.filter(active=True) if endpoint.wants(event_type)
    ]


def emit(
    event_type: str, *, key: str, data: dict, endpoints: list[Endpoint] | None = None
) -> Event | None:
    """Record the event *key* and queue its deliveries; return it, or None if not recorded.

    Nothing is recorded when no endpoint wants the event, or when *key* was recorded before
    (the same happening, seen twice). *endpoints* overrides the subscribers (test events).
    """
    targets = subscribers(event_type) if endpoints is None else endpoints
    if not targets or Event.objects.filter(key=key).exists():
        return None
    now = timezone.now()
    try:
        with transaction.atomic():
            event = Event.objects.create(
                type=event_type, key=key, body=payloads.body(event_type, data, now), created_at=now
            )
    except IntegrityError:
        # Recorded by someone else between the look and the insert.
        return None
    deliveries = Delivery.objects.bulk_create(
        Delivery(endpoint=endpoint, event=event, next_attempt_at=now, created_at=now)
        for endpoint in targets
    )
    for queued in deliveries:
        deliver.enqueue(queued.pk)
    return event


@task()
def deliver(delivery_id: int) -> str:
    """Make the due attempt of delivery *delivery_id*; return what became of it."""
    if connection.features.has_select_for_update:
        with transaction.atomic():
            return attempt(delivery_id, lock=True)
    return attempt(delivery_id, lock=False)


def attempt(delivery_id: int, *, lock: bool) -> str:
    deliveries = Delivery.objects.select_related("endpoint", "event")
    if lock:
        deliveries = deliveries.select_for_update(of=("self",))
    delivery = deliveries.filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"
    now = timezone.now()
    if (
        delivery.status != Delivery.Status.PENDING
        or delivery.next_attempt_at is None
        or delivery.next_attempt_at > now
    ):
        return "not due"
    endpoint = delivery.endpoint
    if not endpoint.active and delivery.event.type != EventType.TEST:
        delivery.status = Delivery.Status.FAILED
        delivery.next_attempt_at = None
        delivery.last_error = _("Not sent: the endpoint is switched off.")
        delivery.save()
        return delivery.status
    started = time.monotonic()
    status, error, retry_after = send(endpoint, delivery.event, now)
    with transaction.atomic():
        record(
            delivery,
            started_at=now,
            duration=time.monotonic() - started,
            status=status,
            error=error,
            retry_after=retry_after,
        )
    return delivery.status


def send(endpoint: Endpoint, event: Event, now: datetime) -> tuple[int | None, str, str | None]:
    """POST *event* to *endpoint*; return the response status (None if none), an error text
    ("" on success) and the Retry-After header."""
    body = event.body.encode()
    moment = int(now.timestamp())
    headers = signing.headers(endpoint.signing_secrets(now), event.message_id, moment, body)
    try:
        target = network.vet(endpoint.url)
        answer = network.post(target, body, headers, timeout=settings.WEBHOOK_TIMEOUT)
    except network.Refused as refused:
        return None, _("Not sent: %(reason)s") % {"reason": refused}, None
    except TimeoutError:
        return (
            None,
            _("No answer within %(seconds)g s.") % {"seconds": settings.WEBHOOK_TIMEOUT},
            None,
        )
    except (OSError, http.client.HTTPException) as failure:
        return None, f"{type(failure).__name__}: {failure}", None
    except Exception as failure:
        # A fault of ours, not the endpoint's: logged in full, and the delivery retried as
        # after any failure rather than left pending with no attempt queued.
        logger.exception(
            "Webhook delivery of %s to %s failed here.", event.message_id, endpoint.url
        )
        return None, f"{type(failure).__name__}: {failure}", None
    if 200 <= answer.status < 300:
        return answer.status, "", None
    if 300 <= answer.status < 400:
        error = _("Redirects are not followed; update the URL (Location: %(location)s).") % {
            "location": answer.location or "-"
        }
    else:
        error = answer.body.decode("utf-8", "replace")
    return answer.status, error, answer.retry_after


def record(
    delivery: Delivery,
    *,
    started_at: datetime,
    duration: float,
    status: int | None,
    error: str,
    retry_after: str | None,
) -> None:
    """Write the outcome of one attempt, and queue the next one or give up."""
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = started_at
    delivery.last_duration_ms = round(duration * 1000)
    delivery.last_status_code = status
    delivery.last_error = without_control_characters(" ".join(error.split()))[:ERROR_LENGTH]
    delivery.next_attempt_at = None
    endpoint = delivery.endpoint
    if status is not None and 200 <= status < 300:
        delivery.status = Delivery.Status.SUCCEEDED
        delivery.delivered_at = now
    elif status == 410:
        delivery.status = Delivery.Status.FAILED
        endpoint.active = False
        endpoint.disabled_reason = (
            _("The endpoint answered 410 Gone on %(time)s: it wants no more events.")
            % {"time": payloads.timestamp(now)}
        )[:REASON_LENGTH]
        endpoint.save(update_fields=["active", "disabled_reason", "updated_at"])
        logger.warning("Webhook endpoint %s answered 410 Gone: switched off.", endpoint.url)
    elif delivery.attempts > len(settings.WEBHOOK_RETRY_SCHEDULE):
        delivery.status = Delivery.Status.FAILED
        logger.warning(
            "Webhook delivery %s (%s to %s) given up after %d attempts: %s",
            delivery.pk,
            delivery.event.type,
            endpoint.url,
            delivery.attempts,
            delivery.last_error or status,
        )
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts, retry_after, now)
        deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
    delivery.save()


def retry_delay(attempts: int, retry_after: str | None, now: datetime) -> timedelta:
    """Return how long to wait after the *attempts*-th attempt failed."""
    scheduled = settings.WEBHOOK_RETRY_SCHEDULE[attempts - 1]
    delay = timedelta(seconds=scheduled * (1 + random.uniform(0, JITTER)))  # noqa: S311
    asked = asked_delay(retry_after, now)
    if asked is not None:
        delay = max(delay, min(asked, LONGEST_RETRY_AFTER))
    return delay


def asked_delay(retry_after: str | None, now: datetime) -> timedelta | None:
    """Return the wait a ``Retry-After`` header asks for (seconds or an HTTP date)."""
    if not retry_after:
        return None
    value = retry_after.strip()
    if value.isdecimal():
        return timedelta(seconds=int(value))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(moment - now, timedelta(0))


@task()
def prune() -> int:
    """Delete the events older than ``WEBHOOK_KEEP_DAYS`` with no delivery still pending,
    and their deliveries; return how many rows went."""
    cutoff = timezone.now() - timedelta(days=settings.WEBHOOK_KEEP_DAYS)
    old = Event.objects.filter(created_at__lt=cutoff).exclude(
        deliveries__status=Delivery.Status.PENDING
    )
    deleted, _counts = old.delete()
    return deleted
