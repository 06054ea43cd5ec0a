"""How often "Your data" may be asked for: per client on the form, per address in the mail.

The form's limit stops one client from flooding the queue: ``DATA_REQUEST_RATE_LIMIT_COUNT``
requests per fixed window of ``DATA_REQUEST_RATE_LIMIT_PERIOD`` seconds, counted in the shared
cache (``serving.rate_limits``).

The address's limit stops anyone from flooding one mailbox: one email per
``DATA_REQUEST_EMAIL_INTERVAL`` seconds (10 minutes by default), however many clients ask. It
is at most the hour a link works, so whoever is refused an email (its owner, asking after
someone else did) has one in the inbox whose link still works: nobody's requests use up
anything its owner needs. It is counted by the worker, after the request: the form's answer,
and the work it does, stay the same for every address.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache

from datarights.inventory import address_hash
from datarights.models import DataRequest
from newsletters.limits import client_of
from serving import rate_limits
from serving.rate_limits import RateLimit

logger = logging.getLogger("newsroom.datarights")


def client_hit(request, *, now: float | None = None) -> RateLimit:
    """Count one request from *request*'s client (an IPv6 one as its /64)."""
    return rate_limits.hit(
        f"datarights:client:{client_of(request)}",
        limit=settings.DATA_REQUEST_RATE_LIMIT_COUNT,
        period=settings.DATA_REQUEST_RATE_LIMIT_PERIOD,
        name="Data request rate limit",
        now=now,
    )


def address_may_get_email(email: str, *, now: datetime) -> bool:
    """Say whether *email* may get a link now, and if so count it: one per interval.

    The requests' rows say when the address last got a link (a row is kept as long as its
    link works, an hour). Two workers taking two requests of one address at the same moment
    would both find none: a key in the shared cache, made atomically and expiring after the
    interval, lets only one of them through. Without the cache the rows still count.
    """
    seconds = settings.DATA_REQUEST_EMAIL_INTERVAL
    if not seconds:
        return True
    since = now - timedelta(seconds=seconds)
    if DataRequest.objects.for_address(email).filter(link_sent_at__gt=since).exists():
        return False
    # By the keyed hash: no address in the cache.
    key = f"datarights:address:{address_hash(email)[:32]}"
    try:
        cache.add(key, 0, timeout=seconds)
        count = cache.incr(key)
    except ValueError:
        # Expired between add and incr, or the cache is away (which incr reports so): the
        # rows have counted already.
        return True
    except Exception:
        logger.exception("Data email limit: the cache is unreachable; the rows count alone.")
        return True
    return count == 1
