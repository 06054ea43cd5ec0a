"""Middleware for everything under ``/api/``, placed above the page cache so that answers
served from it count towards the rate limit and carry the same headers and error format.

- :class:`CorsMiddleware` lets any web page read the API from a browser.
- :class:`ProblemDetailsMiddleware` turns any error answer that is not problem+json yet
  (Django's 404 and 500 pages, a refused method, the database-down page) into one.
- :class:`ApiRateLimitMiddleware` counts requests per client in the shared cache: per key
  for a request with a valid key, else per client address (``serving.clients.client_ip``).
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from api.keys import KeyRefused, access_of
from api.problems import PROBLEM_CONTENT_TYPE, is_problem, problem_body, problem_response
from serving.clients import client_ip, client_network

logger = logging.getLogger("newsroom.api")

API_PREFIX = "/api/"
RATE_KEY = "api:rate:{client}:{window}"

CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("authorization", "if-none-match", "accept")
CORS_EXPOSE_HEADERS = ("ETag", "Retry-After", "WWW-Authenticate")
# How long a browser may keep a preflight's answer (browsers cap it lower themselves).
CORS_PREFLIGHT_MAX_AGE = 86400


def is_api_path(path: str) -> bool:
    """Return whether *path* is the API's: under ``/api/``, or ``/api`` itself."""
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


class CorsMiddleware:
    """Let a page on any site read the API from a browser (CORS), with or without a key.

    Ours, not django-cors-headers: the API is public and takes no cookies, so its answers are
    the same whichever site asks, and say ``Access-Control-Allow-Origin: *`` every time. The
    library sends that header only when a request carries ``Origin``, and therefore adds
    ``Vary: Origin`` to every answer, which splits each page into one copy per asking site in
    nginx or a CDN (and a copy without the header, served to the browsers that need it).

    Every answer also says ``Vary: Authorization``: nginx bypasses its cache for a request
    with a key, but a CDN that does not must still never give the public copy to a key holder.
    It is added here, above the page cache, so that the page cache, which keeps only answers
    that vary on nothing but the encoding, stores and replays them as before.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_path(request.path):
            return self.get_response(request)
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            # A preflight: answered here, for every address, without counting it.
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ", ".join(CORS_ALLOW_METHODS)
            response["Access-Control-Allow-Headers"] = ", ".join(CORS_ALLOW_HEADERS)
            response["Access-Control-Max-Age"] = str(CORS_PREFLIGHT_MAX_AGE)
        else:
            response = self.get_response(request)
            response["Access-Control-Expose-Headers"] = ", ".join(CORS_EXPOSE_HEADERS)
            patch_vary_headers(response, ["Authorization"])
        response["Access-Control-Allow-Origin"] = "*"
        return response


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
            or not is_api_path(request.path)
            or is_problem(response)
        ):
            return response
        body = problem_body(response.status_code, self.detail(request, response.status_code))
        response.content = body
        response["Content-Type"] = PROBLEM_CONTENT_TYPE
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(body))
        # The HTML page's language and encoding said nothing about this body.
        for header in ("Content-Encoding", "Content-Language"):
            if response.has_header(header):
                del response[header]
        return response

    @staticmethod
    def detail(request, status: int) -> str:
        """Return what went wrong, where the status alone does not say it."""
        if status == 400:
            try:
                request.get_host()
            except DisallowedHost:
                return str(_("This address is not served under the host name it was sent to."))
        return ""


_cache_failure_logged = False


class ApiRateLimitMiddleware:
    """Refuse a client's requests under ``/api/`` past ``API_RATE_LIMIT_COUNT`` in a period.

    A fixed window of ``API_RATE_LIMIT_PERIOD`` seconds, counted with ``incr`` (``add`` for
    the window's first request) in the shared cache, so every app process counts together.
    A request with a valid key counts on its key (a partner behind one address with many
    readers, or one key from many machines); any other, including one with a refused key, on
    its address (an IPv6 one on its /64), so that made-up keys open no extra budget. While the
    cache is unreachable, nothing is refused.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api_path(request.path):
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
        address = client_network(client_ip(request))
        return "address:" + salted_hmac("api.rate", address).hexdigest()[:24]

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
