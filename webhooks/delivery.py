"""Record events and deliver them: at least once, retried with backoff, then given up.

:func:`emit` records an event once (its key is unique) and a pending delivery for each
active endpoint subscribed to its type, and queues a :func:`deliver` task for each, all in
the caller's transaction: the queue is a table of the same database, so an event is never
recorded without its deliveries queued, nor queued without being recorded.

:func:`deliver` (the worker runs it) makes one attempt: a POST of the stored body, signed
for this attempt. A 2xx is success. Anything else (another status, no complete answer within
``WEBHOOK_TIMEOUT``, a refused connection, an address that is no longer public) is a
failure: the next attempt is queued after the next delay of ``WEBHOOK_RETRY_SCHEDULE`` (a
little later, at random, so that endpoints failing together are not retried together; later
still, up to a day, if the endpoint asked with ``Retry-After``), and after the last one the
delivery is marked failed and logged. A ``410 Gone`` switches the endpoint off, as Standard
Webhooks asks.

No transaction or row lock is held while a receiver is waited for: a slow or frozen
receiver, or a frozen worker, would hold them as long. An attempt instead *claims* its
delivery with one conditional UPDATE (still pending, due, and not claimed since it was read):
the claim counts the attempt and takes a lease, ``next_attempt_at`` moved to the end of the
attempt's deadline plus ``LEASE_MARGIN``. Then the request, outside any transaction; then
one short transaction records the outcome, only if the claim is still ours (the attempt
count is the one it set). A second task for the same delivery while the lease runs sends
nothing and looks again when it ends; once it has ended (the attempt's worker died or froze)
another attempt may be made, and the late one's outcome, if it ever comes, is dropped. The
conditional UPDATE works alike on PostgreSQL and SQLite.

A task may die with its attempt (a killed worker, a task given up after too many claims, a
fault of ours) and leave the delivery pending with nothing queued. :func:`rescue`, a
periodic job, queues such deliveries again once they are overdue by ``WEBHOOK_RESCUE_SECONDS``;
a delivery whose last allowed attempt never reported back is given up. Every delivery so
ends succeeded or failed. A run that finds its delivery not due (another attempt was made
since, "send again" for example) does nothing: each attempt queues the next one itself.
"""

import contextlib
import http.client
import logging
import random
import time
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

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
# A claimed attempt's lease lasts its deadline (WEBHOOK_TIMEOUT) and this much more: time to
# record the outcome, and for the clocks of the workers' machines to differ a little.
LEASE_MARGIN = timedelta(seconds=10)
# How many overdue deliveries rescue() looks up in the queue at once.
RESCUE_BATCH = 500


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
    # The event, its deliveries and their tasks together or not at all, whether or not the
    # caller holds a transaction: an event recorded alone would take its key for ever.
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = Event.objects.create(
                    type=event_type,
                    key=key,
                    body=payloads.body(event_type, data, now),
                    created_at=now,
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
    """Make the due attempt of delivery *delivery_id*; return what became of it.

    Run outside any transaction (as the worker runs tasks): each step commits on its own.
    """
    delivery = Delivery.objects.select_related("endpoint", "event").filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"
    now = timezone.now()
    if delivery.status != Delivery.Status.PENDING or delivery.next_attempt_at is None:
        return "not due"
    if delivery.next_attempt_at > now:
        if delivery.attempt_started_at is None:
            return "not due"
        # Another attempt holds the lease. If its worker died, only this look, made again
        # when the lease ends, comes back to the delivery before the rescue does.
        deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
        return "busy"
    if not delivery.endpoint.active and delivery.event.type != EventType.TEST:
        return give_up(delivery, now, _("Not sent: the endpoint is switched off."))
    if delivery.attempt_started_at is not None and delivery.attempts >= max_attempts():
        return give_up(
            delivery,
            now,
            _("Given up: its last attempt never finished (its worker stopped during it)."),
        )
    # The name is resolved and checked before the claim: the lease covers the request alone,
    # which the deadline bounds (name resolution cannot be cut short).
    target, refusal = vetted(delivery.endpoint)
    now = timezone.now()
    if not claim(delivery, now):
        return "busy"
    started = time.monotonic()
    try:
        if target is None:
            status, error, retry_after = None, refusal, None
        else:
            status, error, retry_after = send(target, delivery.endpoint, delivery.event, now)
    except BaseException:
        # Not an error of the endpoint's (send() turns those into failures) but the worker
        # being stopped (SystemExit, KeyboardInterrupt): hand the delivery back at once.
        release(delivery)
        raise
    return record(
        delivery,
        started_at=now,
        duration=time.monotonic() - started,
        status=status,
        error=error,
        retry_after=retry_after,
    )


def max_attempts() -> int:
    """Return how many attempts a delivery gets: the first and one per scheduled retry."""
    return len(settings.WEBHOOK_RETRY_SCHEDULE) + 1


def lease() -> timedelta:
    """Return how long a claim keeps other attempts away: the deadline and a margin."""
    return timedelta(seconds=settings.WEBHOOK_TIMEOUT) + LEASE_MARGIN


def pending_as_read(delivery: Delivery):
    """Return *delivery* as read: still pending, and claimed no further since."""
    return Delivery.objects.filter(
        pk=delivery.pk, status=Delivery.Status.PENDING, attempts=delivery.attempts
    )


def claim(delivery: Delivery, now: datetime) -> bool:
    """Claim the attempt of *delivery* (due, as read); return False if another took it.

    One conditional UPDATE, committed on its own: it counts the attempt and takes the lease.
    """
    claimed = (
        pending_as_read(delivery)
        .filter(next_attempt_at__lte=now)
        .update(attempts=F("attempts") + 1, attempt_started_at=now, next_attempt_at=now + lease())
    )
    if not claimed:
        return False
    delivery.attempts += 1
    return True


def release(delivery: Delivery) -> None:
    """Make *delivery*, whose claimed attempt was interrupted, due again now."""
    with contextlib.suppress(DatabaseError):
        pending_as_read(delivery).update(
            attempt_started_at=None,
            next_attempt_at=timezone.now(),
            last_error=_("Interrupted: the worker was stopped during the attempt."),
        )


def give_up(delivery: Delivery, now: datetime, reason: str) -> str:
    """Mark *delivery* (due, as read) failed for *reason*, unless another attempt took it."""
    failed = (
        pending_as_read(delivery)
        .filter(next_attempt_at__lte=now)
        .update(
            status=Delivery.Status.FAILED,
            next_attempt_at=None,
            attempt_started_at=None,
            last_error=reason[:ERROR_LENGTH],
        )
    )
    if not failed:
        return "busy"
    logger.warning(
        "Webhook delivery %s (%s to %s) given up: %s",
        delivery.pk,
        delivery.event.type,
        delivery.endpoint.url,
        reason,
    )
    return Delivery.Status.FAILED


def vetted(endpoint: Endpoint) -> tuple[network.Target | None, str]:
    """Return where the endpoint's URL leads now, or None and why it may not be sent to."""
    try:
        return network.vet(endpoint.url), ""
    except network.Refused as refused:
        return None, _("Not sent: %(reason)s") % {"reason": refused}
    except Exception as failure:
        # A fault of ours: a failed attempt, retried, rather than a delivery never claimed.
        logger.exception("Webhook endpoint %s could not be checked.", endpoint.url)
        return None, f"{type(failure).__name__}: {failure}"


def send(
    target: network.Target, endpoint: Endpoint, event: Event, now: datetime
) -> tuple[int | None, str, str | None]:
    """POST *event* to *target*; return the response status (None if none), an error text
    ("" on success) and the Retry-After header."""
    body = event.body.encode()
    moment = int(now.timestamp())
    headers = signing.headers(endpoint.signing_secrets(now), event.message_id, moment, body)
    try:
        answer = network.post(target, body, headers, timeout=settings.WEBHOOK_TIMEOUT)
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
) -> str:
    """Write the outcome of the attempt *delivery* claimed, and queue the next one or give up.

    Return the delivery's status, or "superseded" when the claim was no longer ours (its
    lease ended and another attempt took over): that outcome is not written.
    """
    now = timezone.now()
    endpoint = delivery.endpoint
    outcome = {
        "attempt_started_at": None,
        "last_attempt_at": started_at,
        "last_duration_ms": round(duration * 1000),
        "last_status_code": status,
        "last_error": without_control_characters(" ".join(error.split()))[:ERROR_LENGTH],
        "next_attempt_at": None,
    }
    if status is not None and 200 <= status < 300:
        outcome.update(status=Delivery.Status.SUCCEEDED, delivered_at=now)
    elif status == 410 or delivery.attempts >= max_attempts():
        outcome.update(status=Delivery.Status.FAILED)
    else:
        outcome.update(next_attempt_at=now + retry_delay(delivery.attempts, retry_after, now))
    with transaction.atomic():
        if not pending_as_read(delivery).update(**outcome):
            logger.info(
                "Webhook delivery %s: attempt %d ended after its lease; not recorded.",
                delivery.pk,
                delivery.attempts,
            )
            return "superseded"
        if outcome["next_attempt_at"] is not None:
            deliver.using(run_after=outcome["next_attempt_at"]).enqueue(delivery.pk)
        if status == 410:
            endpoint.active = False
            endpoint.disabled_reason = (
                _("The endpoint answered 410 Gone on %(time)s: it wants no more events.")
                % {"time": payloads.timestamp(now)}
            )[:REASON_LENGTH]
            endpoint.save(update_fields=["active", "disabled_reason", "updated_at"])
            logger.warning("Webhook endpoint %s answered 410 Gone: switched off.", endpoint.url)
        elif outcome.get("status") == Delivery.Status.FAILED:
            logger.warning(
                "Webhook delivery %s (%s to %s) given up after %d attempts: %s",
                delivery.pk,
                delivery.event.type,
                endpoint.url,
                delivery.attempts,
                outcome["last_error"] or status,
            )
    return outcome.get("status", Delivery.Status.PENDING)


def retry_delay(attempts: int, retry_after: str | None, now: datetime) -> timedelta:
    """Return how long to wait after the *attempts*-th attempt failed."""
    scheduled = settings.WEBHOOK_RETRY_SCHEDULE[attempts - 1]
    delay = timedelta(seconds=scheduled * (1 + random.uniform(0, JITTER)))  # noqa: S311
    asked = asked_delay(retry_after, now)
    if asked is not None:
        delay = max(delay, asked)
    return delay


def asked_delay(retry_after: str | None, now: datetime) -> timedelta | None:
    """Return the wait a ``Retry-After`` header asks for (seconds or an HTTP date), at most
    ``LONGEST_RETRY_AFTER``; None for no header, or one that makes no sense."""
    if not retry_after:
        return None
    value = retry_after.strip()
    if value.isdecimal():
        longest = int(LONGEST_RETRY_AFTER.total_seconds())
        # Compared as text first: int() refuses numbers of thousands of digits.
        if len(value.lstrip("0")) > len(str(longest)):
            return LONGEST_RETRY_AFTER
        return timedelta(seconds=min(int(value), longest))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if moment.tzinfo is None:
        return None
    return min(max(moment - now, timedelta(0)), LONGEST_RETRY_AFTER)


@task()
def rescue() -> int:
    """Queue again the pending deliveries left with no attempt on its way; return how many.

    Those overdue by ``WEBHOOK_RESCUE_SECONDS`` (their retry's time, or their lease's end,
    long past) with no ``deliver`` task waiting or running: their task died with its worker,
    was given up after too many claims, or failed on a fault of ours.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.WEBHOOK_RESCUE_SECONDS)
    overdue = (
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    stranded = []
    last = 0
    while batch := list(overdue.filter(pk__gt=last)[:RESCUE_BATCH]):
        last = batch[-1]
        on_their_way = {
            args_kwargs["args"][0]
            for args_kwargs in DBTaskResult.objects.filter(
                task_path=deliver.module_path,
                status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING),
                args_kwargs__args__0__in=batch,
            ).values_list("args_kwargs", flat=True)
        }
        stranded.extend(delivery_id for delivery_id in batch if delivery_id not in on_their_way)
    for delivery_id in stranded:
        deliver.enqueue(delivery_id)
    if stranded:
        logger.warning(
            "%d webhook deliveries had no attempt on its way; queued again: %s",
            len(stranded),
            stranded[:20],
        )
    return len(stranded)


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
