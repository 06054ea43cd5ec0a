"""Middleware for serving in production: proxy trust, the content security policy and the
database-down page."""

import logging
import sys
import threading
import time

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.template.loader import render_to_string
from django.utils import translation

from serving.clients import is_trusted_proxy
from serving.languages import language_of_path, without_language

logger = logging.getLogger("newsroom.database")

# What proxies say about the client: believed only from a trusted proxy.
FORWARDED_HEADERS = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_PROTOCOL",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_X_REAL_IP",
)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
LOG_INTERVAL_SECONDS = 60.0


class TrustedProxyMiddleware:
    """Drop every forwarded header unless the connection comes from a trusted proxy.

    ``SECURE_PROXY_SSL_HEADER`` and ``X-Forwarded-For`` are then safe to read further down:
    a client that reaches the app server directly, or trust switched off, leaves nothing
    behind that could claim HTTPS or another address (see serving.clients).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        if not is_trusted_proxy(meta.get("REMOTE_ADDR", "")):
            for name in FORWARDED_HEADERS:
                meta.pop(name, None)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """Send the Content-Security-Policy header (django-csp), with nonces for form media.

    The policy allows no inline script. The admin's rich-text editor (django-prose-editor)
    loads its modules through an inline ``<script type="importmap">`` rendered from the form's
    media, which the browser would block. Before the admin template renders, the media object
    is given this response's nonce, so exactly the tags the admin renders from form media carry
    it, and anything else inline (an injected script) still does not run.
    """

    def process_template_response(self, request, response):
        context = response.context_data
        media = context.get("media") if context else None
        if (
            media is not None
            and getattr(media, "nonce", None) == ""
            and hasattr(media, "with_nonce")
        ):
            context["media"] = media.with_nonce(request.csp_nonce)
        return response


class DatabaseUnavailableMiddleware:
    """Answer a branded 503 with Retry-After, never a traceback, when the database is away.

    Catches database connection errors from the view (``process_exception``) and from any
    middleware below this one, e.g. the session, the user or the page cache. Place it right
    after WhiteNoise so that static files are still served. Django's ``CONN_HEALTH_CHECKS``
    makes the site recover by itself when the database returns.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except DATABASE_ERRORS as error:
            return database_unavailable(request, error)
        error = getattr(request, "_newsroom_database_error", None)
        if error is not None and response.status_code == 500:
            return database_unavailable(request, error)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable(request, exception)
        return None


def remember_database_error(sender, request=None, **kwargs):
    """Mark a request whose uncaught exception was a database error (see the middleware)."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        request._newsroom_database_error = error


got_request_exception.connect(remember_database_error, dispatch_uid="newsroom-database-error")


_last_logged = 0.0
_log_lock = threading.Lock()


def log_database_error(error: BaseException) -> None:
    """Log a database outage at most once a minute per process, with its traceback once."""
    global _last_logged
    now = time.monotonic()
    with _log_lock:
        if _last_logged and now - _last_logged < LOG_INTERVAL_SECONDS:
            return
        _last_logged = now
    logger.error(
        "Database unavailable, answering 503 (%s: %s)",
        type(error).__name__,
        str(error).strip(),
        exc_info=(type(error), error, error.__traceback__),
    )


def database_unavailable(request, error: BaseException) -> HttpResponse:
    """Return the branded 503 page; it renders without the database."""
    log_database_error(error)
    try:
        content = render_to_string(
            "503.html",
            {"retry_after": RETRY_AFTER_SECONDS, "site_name": settings.NEWSROOM_SITE_NAME},
        )
    except Exception:  # The page must come out even if the template is broken.
        logger.exception("Could not render 503.html")
        content = "<!doctype html><title>Service unavailable</title><h1>Service unavailable</h1>"
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Logged above, once a minute: keep Django from adding a line for every request.
    response._has_been_logged = True
    return response


class DatabaseErrorLogFilter(logging.Filter):
    """Drop Django's per-request tracebacks for database outages.

    ``log_database_error`` reports an outage once a minute instead; one traceback per request
    during an outage would bury everything else in the log.
    """

    def filter(self, record):
        exc_info = record.exc_info
        return not (exc_info and isinstance(exc_info[1], DATABASE_ERRORS))


class DisallowedHostLogFilter(logging.Filter):
    """Log a request for a host not in ALLOWED_HOSTS once a minute per host, in one line.

    Anyone can send any Host header; with Django's traceback on every one, a script could fill
    the log. The first request for a host in a minute is logged (without the traceback), the
    rest are dropped.
    """

    def __init__(self):
        super().__init__()
        self.last_logged: dict[str, float] = {}
        self.lock = threading.Lock()

    def filter(self, record):
        host = str(getattr(record, "host", "") or record.getMessage())[:200]
        now = time.monotonic()
        with self.lock:
            if now - self.last_logged.get(host, -LOG_INTERVAL_SECONDS) < LOG_INTERVAL_SECONDS:
                return False
            if len(self.last_logged) > 10_000:
                self.last_logged.clear()
            self.last_logged[host] = now
        record.exc_info = None
        record.exc_text = None
        return True


class LanguageMiddleware:
    """Speak the language the address names: ``/ru/…`` Russian, any other address the default.

    Never the reader's cookie or ``Accept-Language`` (serving.languages says why); crawlers
    are never redirected by language. The default language's own prefix (``/en/…``) is a
    permanent redirect to the address without it, its one canonical form. Staff pages choose
    their language further down (accounts.middleware).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_of_path(request.path_info)
        if language == settings.LANGUAGE_CODE:
            target = request.path[: len(request.path) - len(request.path_info)] + without_language(
                request.path_info
            )
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
        language = language or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
        finally:
            # The thread serves its next request (or runs a task) in no one's language.
            translation.deactivate()
        return response
