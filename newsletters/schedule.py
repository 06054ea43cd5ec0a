"""When digests go out, and what the newsletter forgets: the periodic jobs' work.

``newsletters.tasks`` runs these from the worker's periodic jobs (``NewslettersConfig``).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from newsletters import sending
from newsletters.models import Delivery, Send, Subscriber


def forget_unconfirmed(now: datetime | None = None) -> int:
    """Delete sign-ups nobody confirmed in time; return how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NEWSLETTER_CONFIRM_DAYS)
    deleted, _ = Subscriber.objects.filter(
        status=Subscriber.Status.UNCONFIRMED, created_at__lt=cutoff
    ).delete()
    return deleted


def prune_deliveries(now: datetime | None = None) -> int:
    """Delete the delivery rows of sends finished ``NEWSLETTER_KEEP_DAYS`` ago (figures stay)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NEWSLETTER_KEEP_DAYS)
    deleted, _ = Delivery.objects.filter(send__finished_at__lt=cutoff).delete()
    return deleted


PERIODS = {Send.Kind.DAILY: timedelta(days=1), Send.Kind.WEEKLY: timedelta(days=7)}


def due_editions(now: datetime) -> list[tuple[str, object]]:
    """Return the (kind, day) of each digest whose time has come today, in TIME_ZONE."""
    local = timezone.localtime(now)
    if local.time() < settings.NEWSLETTER_SEND_AT:
        return []
    due = [(Send.Kind.DAILY, local.date())]
    if local.weekday() == settings.NEWSLETTER_WEEKLY_DAY:
        due.append((Send.Kind.WEEKLY, local.date()))
    return due


def digest_schedule_due(now: datetime | None = None) -> list[Send]:
    """Start today's daily (and on its day the weekly) digest if due and not started yet.

    Each edition covers the stories published since the previous edition of its kind began,
    a day (or a week) at most: editions follow one another without gap or overlap, and an
    edition missed while no worker ran is not sent late.
    """
    now = now or timezone.now()
    started = []
    for kind, day in due_editions(now):
        if Send.objects.filter(kind=kind, edition=day).exists():
            continue
        previous = (
            Send.objects.filter(kind=kind, window_end__isnull=False).order_by("-window_end").first()
        )
        window_start = now - PERIODS[kind]
        if previous is not None and previous.window_end > window_start:
            window_start = previous.window_end
        try:
            started.append(sending.start(kind=kind, edition=day, window=(window_start, now)))
        except IntegrityError:
            continue  # another worker started it a moment ago
    return started
