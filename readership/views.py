"""The read beacon: ``POST /reads/<story id>/``, sent by static/js/reads.js on story pages.

The story page is cached whole and shared (by the page cache, by a CDN), so it cannot count
its own readers, and it carries no CSRF token: a beacon from the page does, for any page
however it was served. The endpoint takes a POST from the site's own pages only, reads no
cookie, sets none, writes nothing to the database, and answers 204 whatever happened, so
that it never tells a client whether it was counted.
"""

import logging
import time

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from readership import counting
from readership.tasks import flush_reads
from serving.clients import client_ip

logger = logging.getLogger("newsroom.readership")

# When this process last moved its counts itself (NEWSROOM_READS_FLUSHED_BY_WEB).
_last_flush = time.monotonic()


def is_same_origin(request) -> bool:
    """Return whether the browser says that one of the site's own pages sent *request*.

    Fetch metadata first (every current browser sends ``Sec-Fetch-Site``); else the
    ``Origin`` a browser puts on every POST, which must be the site's. A client that sends
    neither is no browser on our page.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    return origin is not None and origin in (
        settings.SITE_URL,
        f"{request.scheme}://{request.get_host()}",
    )


@csrf_exempt
@never_cache
@require_POST
def read(request, story_id: int):
    """Count one read of the story *story_id* (see ``readership.counting``); answer 204."""
    if is_same_origin(request):
        counting.count_read(
            story_id,
            address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
        if settings.NEWSROOM_READS_FLUSHED_BY_WEB:
            flush_now_and_then()
    return HttpResponse(status=204)


def flush_now_and_then() -> None:
    """Move this process's counts, once a flush period: its local cache is its own.

    Only without a shared cache (``make run``), where the worker, another process, cannot see
    the counts; with Redis the worker moves everyone's.
    """
    global _last_flush
    if time.monotonic() - _last_flush < settings.NEWSROOM_READS_FLUSH_SECONDS:
        return
    _last_flush = time.monotonic()
    try:
        flush_reads.call()
    except DatabaseError as error:
        # The counts went back to the cache for the next time; the reader's 204 stands.
        logger.warning("Reads not moved to the database, kept for later: %s", error)
