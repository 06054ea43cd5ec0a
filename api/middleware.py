"""Middleware for everything under ``/api/``, placed above the page cache so that answers
served from it count towards the rate limit and carry the same error format.

- :class:`ProblemDetailsMiddleware` turns any error answer that is not problem+json yet
  (Django's 404 and 500 pages, a refused method, the database-down page) into one.
- :class:`ApiRateLimitMiddleware` counts requests per client in the shared cache: per key
  for a request with a valid key, else per client address (``serving.clients.client_ip``).
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from api.keys import KeyRefused, access_of
from api.problems import PROBLEM_CONTENT_TYPE, is_problem, problem_body, problem_response
from serving.clients import client_ip

logger = logging.getLogger("newsroom.api")

API_PREFIX = "/api/"
RATE_KEY = "api:rate:{client}:{window}"


class ProblemDetailsMiddleware:
    """Answer every error under ``/api/`` as ``application/problem+json`` (RFC 9457).

    The API's own errors are problems already; this catches the others, whatever layer
    answered, and keeps their headers (``Allow``, ``Retry-After``, ``Cache-Control``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or response.streaming
            or not request.path.startswith(API_PREFIX)
            or is_problem(response)
        ):
            return response
        body = problem_body(response.status_code)
        response.content = body
        response["Content-Type"] = PROBLEM_CONTENT_TYPE
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(body))
        # The HTML page's language and encoding said nothing about this body.
        for header in ("Content-Encoding", "Content-Language"):
            if response.has_header(header):
                del response[header]
        return response


_cache_failure_logged = False


class ApiRateLimitMiddleware:
    """Refuse a client's requests under ``/api/`` past ``API_RATE_LIMIT_COUNT`` in a period.

    A fixed window of ``API_RATE_LIMIT_PERIOD`` seconds, counted with ``incr`` (``add`` for
    the window's first request) in the shared cache, so every app process counts together.
    A request with a valid key counts on its key (a partner behind one address with many
    readers, or one key from many machines); any other, including one with a refused key, on
    its address, so that made-up keys open no extra budget. While the cache is unreachable,
    nothing is refused.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            retry_after = self.over_limit(request)
            if retry_after:
                return problem_response(
                    429,
                    str(_("Too many requests from this client: try again in %(seconds)s s."))
                    % {"seconds": retry_after},
                    headers={"Retry-After": str(retry_after)},
                )
        return self.get_response(request)

    @staticmethod
    def client(request) -> str:
        try:
            access = access_of(request)
        except KeyRefused:
            access = None
        except DatabaseError:
            # The operation asks again and answers the database-down page.
            access = None
        if access is not None and access.key is not None:
            return f"key:{access.key.pk}"
        return "address:" + salted_hmac("api.rate", client_ip(request)).hexdigest()[:24]

    def over_limit(self, request, *, now: float | None = None) -> int:
        """Count this request; return 0 within the limit, else the seconds until the next window."""
        global _cache_failure_logged
        limit = settings.API_RATE_LIMIT_COUNT
        period = settings.API_RATE_LIMIT_PERIOD
        if not limit or not period:
            return 0
        now = time.time() if now is None else now
        window = int(now // period)
        key = RATE_KEY.format(client=self.client(request), window=window)
        try:
            # The window's count exists for all but its first request: count, then create.
            count = self.counted(key, period)
        except Exception:
            if not _cache_failure_logged:
                logger.exception("API rate limit skipped: the cache is unreachable.")
                _cache_failure_logged = True
            return 0
        _cache_failure_logged = False
        if count > limit:
            return max(1, int((window + 1) * period - now))
        return 0

    @staticmethod
    def counted(key: str, period: int) -> int:
        """Add one to the count at *key*, creating it for the window's first request."""
        try:
            return cache.incr(key)
        except ValueError:
            pass
        if cache.add(key, 1, timeout=period + 60):
            return 1
        try:
            # Another process created it in between.
            return cache.incr(key)
        except ValueError:
            # The cache is away: as if a first request.
            return 1
