"""Serve shared pages from the shared cache, whole, headers included; store them on a miss."""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from django.utils.cache import get_conditional_response, get_max_age, patch_cache_control
from django.utils.crypto import salted_hmac

from pagecache import invalidation
from pagecache.keys import normalised_query, page_key, subject_of
from pagecache.responses import (
    Entry,
    accepted_encoding,
    entries,
    is_shareable,
    make_public,
    response_from,
)
from serving.clients import client_ip
from serving.languages import without_language

# Moved, not found, gone: the same for every reader, as short-lived as a page.
ANSWERS_FOR_EVERYONE = (301, 404, 410)
# A page for one reader: a session (staff) or a message waiting ("thank you").
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")


def is_personal(request) -> bool:
    """Return whether *request* gets an answer for one person, never a shared page.

    A session or a message waiting, or credentials (an API key): a shared cache must not give
    the answer to anyone else, nor answer the holder with what the public gets. An empty or
    blank Authorization header carries none, as nginx reads it too
    (deploy/nginx/newsroom.conf).
    """
    if request.META.get("HTTP_AUTHORIZATION", "").strip():
        return True
    cookies = request.COOKIES
    return any(name in cookies for name in PERSONAL_COOKIES)


class SharedPageCacheMiddleware:
    """Serve anonymous reader pages from the shared cache (see the ``pagecache`` package).

    Sits near the top, below the proxy, security and static-file middleware: a hit skips
    everything under it, and a stored page carries every header those layers added on the
    miss (CSP, ``X-Frame-Options``, ``Referrer-Policy``…), so a hit looks exactly like one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.may_be_shared(request):
            response = self.get_response(request)
            if is_personal(request) and not request.path.startswith(("/static/", "/media/")):
                # Rendered for one person: no shared cache (CDN, proxy) may keep it.
                patch_cache_control(response, private=True)
            return response
        # A Host that is not allowed answers 400 before anything is served from the cache.
        request.get_host()
        query = normalised_query(request.GET, request.path) if request.GET else ""
        # The view sees exactly the parameters the page is stored under, nothing else. (The
        # raw query string stays for a redirect to carry along: a 301 is never stored.)
        request.GET = QueryDict(query)
        encoding = accepted_encoding(request)
        stored_as = "gzip" if encoding == "identity" else encoding
        key = page_key(request.path, query, stored_as)
        found = None
        if settings.PAGE_CACHE_SECONDS:
            found = invalidation.current(subject_of(request.path), (key,))
        if found is None:
            # Off, or not to be trusted just now: render, and store nothing.
            return self.render(request, encoding, None, query)
        generations, stored = found
        request.page_generations = generations
        entry = stored.get(key)
        if isinstance(entry, Entry) and entry.stamp == generations.stamp():
            response = response_from(entry, encoding)
            return get_conditional_response(request, etag=response["ETag"], response=response)
        return self.render(request, encoding, generations, query)

    def render(self, request, encoding: str, generations, query: str):
        """Render the page; share it (compressed, public) and store it when it may be."""
        response = self.get_response(request)
        if not is_shareable(request, response):
            if is_shareable(request, response, statuses=ANSWERS_FOR_EVERYONE):
                # Not stored here, but a CDN must learn how long it may keep the answer: with
                # no lifetime, nginx went on serving the story's old 200 as "stale" after the
                # story went offline.
                make_public(response)
            return response
        declared = get_max_age(response)
        make_public(response)
        stored_as = "gzip" if encoding == "identity" else encoding
        timeout = settings.PAGE_CACHE_SECONDS
        if declared is not None:
            timeout = min(timeout, declared)
        if generations is not None and timeout > 0 and self.may_store(request):
            variants = entries(response, generations.stamp())
            cache.set_many(
                {page_key(request.path, query, name): entry for name, entry in variants.items()},
                timeout=timeout,
            )
        else:
            variants = entries(response, ("", ""), encodings=(stored_as,))
        built = response_from(variants[stored_as], encoding)
        return get_conditional_response(request, etag=built["ETag"], response=built)

    @staticmethod
    def may_be_shared(request) -> bool:
        if request.method not in ("GET", "HEAD"):
            return False
        # In every language: /ru/newsletter/ is as personal as /newsletter/.
        if without_language(request.path).startswith(settings.PAGE_CACHE_EXCLUDED_PREFIXES):
            return False
        return not is_personal(request)

    @staticmethod
    def may_store(request) -> bool:
        """Return whether this client may add one more page to the cache this minute.

        Every stored page is a real page, but a script walking search queries or page
        numbers could still fill the cache; past the budget its pages are served, not kept.
        """
        budget = settings.PAGE_CACHE_STORES_PER_CLIENT
        if not budget:
            return True
        client = salted_hmac("pagecache.budget", client_ip(request)).hexdigest()[:16]
        key = f"pagecache:budget:{client}:{int(time.time() // 60)}"
        cache.add(key, 0, timeout=120)
        try:
            stored = cache.incr(key)
        except ValueError:
            return False
        return stored <= budget
