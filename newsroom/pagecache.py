"""A shared page cache for anonymous readers that is never wrong.

How it stays correct:

* Every cached page's key carries a *generation* kept in the shared cache (Redis in
  production). Any change a reader could see (a story saved or deleted, its tags or authors,
  a region, rubric or author, a review approved, rejected or removed) calls
  :func:`invalidate`, which moves the generation on: every process then misses at its next
  request, and the old entries simply expire.
* Some changes happen by the clock, with no write to announce them: a scheduled story going
  public, a story's reviews closing after N days. Apps register a *clock* giving the next such
  moment (:func:`register_clock`); the earliest is kept beside the generation, and the first
  request after it moves the generation on.
* Only anonymous GET/HEAD requests without a session or messages cookie are served or stored:
  staff (who have a session) never see or fill the cache, and a reader with a pending "thank
  you" message gets a fresh page. Responses marked private/no-store, or that set cookies other
  than the CSRF one, are never stored.
* The review form's CSRF token is per reader. It is cut out of the stored page and each hit gets
  the token of the reader asking, so no token is ever handed from one reader to another.

If the cache is unreachable, pages are simply rendered (see newsroom.cache).
"""

import hashlib
import logging
import re
import uuid
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers

logger = logging.getLogger("newsroom.pagecache")

GENERATION_KEY = "pagecache:generation"
NEXT_DUE_KEY = "pagecache:next-due"
TOKEN_PLACEHOLDER = "\x00csrf-token\x00"
TOKEN_PATTERN = re.compile(r'(name="csrfmiddlewaretoken" value=")([A-Za-z0-9]+)(")')
NOTHING_DUE = 0.0

Clock = Callable[[datetime], datetime | None]
_clocks: list[Clock] = []


def register_clock(clock: Clock) -> Clock:
    """Register *clock*: given now, it returns the next moment pages change by themselves."""
    if clock not in _clocks:
        _clocks.append(clock)
    return clock


def invalidate() -> None:
    """Make every cached page stale, in every process sharing the cache."""
    cache.set_many({GENERATION_KEY: uuid.uuid4().hex, NEXT_DUE_KEY: None}, timeout=None)


def invalidate_on_commit(**_signal_kwargs) -> None:
    """Invalidate now and again once the current transaction commits; connectable to signals.

    Now, so that this process never serves the old page; at the commit, because until then
    another process could still read the old rows and cache them under the new generation.
    """
    invalidate()
    transaction.on_commit(invalidate)


def watch(*models) -> None:
    """Invalidate the page cache whenever a row of one of *models* is saved or deleted."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        post_save.connect(invalidate_on_commit, sender=model, dispatch_uid=f"pagecache-{model}")
        post_delete.connect(invalidate_on_commit, sender=model, dispatch_uid=f"pagecache-{model}")


def current_generation() -> str | None:
    """Return the generation pages are cached under, or None when the cache is unavailable."""
    values = cache.get_many([GENERATION_KEY, NEXT_DUE_KEY])
    generation = values.get(GENERATION_KEY)
    next_due = values.get(NEXT_DUE_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            return None
    if next_due is None:
        next_due = next_change_timestamp()
        cache.set(NEXT_DUE_KEY, next_due, timeout=None)
    if next_due != NOTHING_DUE and timezone.now().timestamp() >= next_due:
        invalidate()
        generation = cache.get(GENERATION_KEY)
        if generation is not None:
            cache.set(NEXT_DUE_KEY, next_change_timestamp(), timeout=None)
    return generation


def next_change_timestamp() -> float:
    now = timezone.now()
    moments = [moment for clock in _clocks if (moment := clock(now)) is not None]
    return min(moments).timestamp() if moments else NOTHING_DUE


def page_key(generation: str, request) -> str:
    digest = hashlib.sha256(request.get_full_path().encode("utf-8", "surrogateescape"))
    return f"page:{generation}:{digest.hexdigest()}"


class PageCacheMiddleware:
    """Serve anonymous reader pages from the shared cache; see the module docstring.

    Sits after CsrfViewMiddleware (so the CSRF cookie is set on the way out) and before
    AuthenticationMiddleware (so a hit costs no session or user query).
    """

    excluded_prefixes = (
        "/admin/",
        "/preview/",
        "/share/",
        "/search/",
        "/reviews/",
        "/healthz",
        "/static/",
        "/media/",
    )
    # The same for every reader, whoever asks.
    files = ("/static/", "/media/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.request_is_cacheable(request):
            response = self.get_response(request)
            if self.request_is_personal(request) and not request.path.startswith(self.files):
                # Rendered for a session (staff) or with a reader's message: no shared cache
                # (CDN, proxy) may keep it, even where the view said nothing.
                patch_cache_control(response, private=True)
            return response
        generation = current_generation()
        if generation is None:
            return self.get_response(request)
        key = page_key(generation, request)
        entry = cache.get(key)
        if entry is not None:
            return self.response_from_entry(request, entry)
        response = self.get_response(request)
        if self.response_is_cacheable(request, response):
            entry = self.entry_from_response(response)
            cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
            return self.response_from_entry(request, entry)
        return response

    def request_is_cacheable(self, request) -> bool:
        if not settings.PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
            return False
        if request.path.startswith(self.excluded_prefixes):
            return False
        return not self.request_is_personal(request)

    def request_is_personal(self, request) -> bool:
        cookies = request.COOKIES
        return settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies

    def response_is_cacheable(self, request, response) -> bool:
        if response.status_code != 200 or response.streaming:
            return False
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            return False
        cache_control = response.get("Cache-Control", "")
        if "private" in cache_control or "no-store" in cache_control or "no-cache" in cache_control:
            return False
        return all(name == settings.CSRF_COOKIE_NAME for name in response.cookies)

    def entry_from_response(self, response) -> dict:
        content = response.content.decode(response.charset)
        content, with_token = TOKEN_PATTERN.subn(rf"\g<1>{TOKEN_PLACEHOLDER}\g<3>", content)
        return {
            "content": content,
            "content_type": response["Content-Type"],
            "etag": hashlib.md5(content.encode(), usedforsecurity=False).hexdigest(),
            "with_token": bool(with_token),
            "headers": {
                name: value
                for name, value in response.items()
                if name.lower() in ("content-language", "link", "x-robots-tag")
            },
        }

    def response_from_entry(self, request, entry) -> HttpResponse:
        etag = entry["etag"]
        content = entry["content"]
        if entry["with_token"]:
            had_cookie = settings.CSRF_COOKIE_NAME in request.COOKIES
            token = get_token(request)
            if had_cookie:
                # The reader already holds the secret this token is made from; re-sending the
                # cookie on every page would only stop shared caches from keeping the page.
                request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
            secret = request.META.get("CSRF_COOKIE", "")
            etag = hashlib.md5(f"{etag}:{secret}".encode(), usedforsecurity=False).hexdigest()
            content = content.replace(TOKEN_PLACEHOLDER, token)
        etag = f'"{etag}"'
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(content, content_type=entry["content_type"])
        for name, value in entry["headers"].items():
            response[name] = value
        response["ETag"] = etag
        max_age = settings.PAGE_BROWSER_MAX_AGE
        stale = settings.PAGE_STALE_WHILE_REVALIDATE
        if entry["with_token"]:
            # Each reader's copy embeds their own CSRF token: shared caches may keep it only per
            # cookie, and never while the response is handing out a new cookie.
            patch_vary_headers(response, ["Cookie"])
            if not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
                response["Cache-Control"] = f"public, max-age={max_age}"
            else:
                response["Cache-Control"] = "private, max-age=0, must-revalidate"
        else:
            response["Cache-Control"] = f"public, max-age={max_age}, stale-while-revalidate={stale}"
        return response
