"""``/healthz``: whether this app server can serve readers, for load balancers and monitors.

Answers 200 while the database answers, and 503 when it does not (the balancer then takes the
server out of rotation). The cache and the task queue are reported but never fail the check:
without Redis the site still serves, uncached, so ``"cache": "unavailable"`` comes with
``"status": "degraded"`` and a 200; so does a queue whose oldest due task has waited longer
than ``QUEUE_STUCK_SECONDS`` (no worker running, or too few), or that has tasks running with
no live worker (the last one died mid-task), as ``"queue": {"status": "stuck", …}``.
Deliberately cheap, as balancers ask every few seconds: no template, no session, one
``SELECT 1`` per database, one cache round trip and two small queries for the queue.
"""

import os
import secrets
from collections.abc import Callable

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from serving.middleware import log_database_error

# One key per process, overwritten each time: the check never fills the cache.
CACHE_KEY = f"healthz:{os.getpid()}"


def check_database(alias: str) -> str:
    """Return "ok" if the database behind ``alias`` answers a trivial query."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except (DatabaseError, InterfaceError) as error:
        log_database_error(error)
        return "unavailable"
    return "ok"


def check_cache() -> str:
    """Return "ok" if a value written to the cache can be read back."""
    token = secrets.token_hex(8)
    try:
        cache.set(CACHE_KEY, token, timeout=30)
        return "ok" if cache.get(CACHE_KEY) == token else "unavailable"
    except Exception:  # Any backend, any failure: the cache is optional.
        return "unavailable"


# More parts to report, registered by the apps that own them (the task queue: worker.apps).
# Each returns a dict with a "status"; anything but "ok" makes the whole "degraded".
_reports: dict[str, Callable[[], dict]] = {}


def register_report(name: str, report: Callable[[], dict]) -> None:
    """Add *report* to /healthz under *name* (from an ``AppConfig.ready()``)."""
    _reports[name] = report


@csrf_exempt
@require_safe
@never_cache
def healthz(request):
    """Report database and cache reachability and the task queue as JSON."""
    report = {"database": check_database("default")}
    if "replica" in connections.settings:
        report["replica"] = check_database("replica")
    report["cache"] = check_cache()
    databases_ok = all(report[key] == "ok" for key in report if key != "cache")
    if databases_ok:
        for name, part in _reports.items():
            report[name] = part()
    if not databases_ok:
        report["status"] = "unavailable"
    elif report["cache"] != "ok" or any(report[name]["status"] != "ok" for name in _reports):
        report["status"] = "degraded"
    else:
        report["status"] = "ok"
    response = JsonResponse(report, status=200 if databases_ok else 503)
    if not databases_ok:
        # The outage is logged once a minute; a balancer polling every few seconds must not
        # add a line per probe.
        response._has_been_logged = True
    return response
