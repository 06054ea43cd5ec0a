"""What a shared page is stored under: its subject, and its address reduced to what matters."""

import functools
import hashlib

from django.conf import settings
from django.http import QueryDict

# Every page belongs to the site; most also to one subject (see the package docstring).
SITE = "site"
FRONT = "front"

LEASE_KEY = "pagecache:lease"
REFRESH_LOCK_KEY = "pagecache:lease-renewal"
CLOCK_KEY = "pagecache:clock-checked"


def subject_of(path: str) -> str:
    """Return the subject of the page at *path*: ``"articles/<slug>"``, … or the front.

    A path under one of ``PAGE_CACHE_SUBJECTS`` with a slug after it belongs to that slug
    (``/regions/caucasus/feed/`` → ``regions/caucasus``); every other page is the front.
    """
    section, _, rest = path.lstrip("/").partition("/")
    slug = rest.partition("/")[0]
    if slug and section in settings.PAGE_CACHE_SUBJECTS:
        return f"{section}/{slug}"
    return FRONT


def normalised_query(query: QueryDict) -> str:
    """Return the query string a shared page is built from: known parameters only.

    One value each (the first that is not blank), spaces collapsed, in a fixed order.
    Tracking tags and anything a page does not read are left out, so they share the page.
    """
    kept = []
    for name in sorted(settings.PAGE_CACHE_QUERY_PARAMETERS):
        for value in query.getlist(name):
            value = " ".join(value.split())
            if value:
                kept.append((name, value))
                break
    if not kept:
        return ""
    normalised = QueryDict(mutable=True)
    for name, value in kept:
        normalised[name] = value
    return normalised.urlencode()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


@functools.lru_cache(maxsize=4096)
def generation_key(subject: str) -> str:
    # Hashed: a slug may be long or in any script, and cache keys must stay short and plain.
    # Remembered: every request asks for its subject's, and the answer never changes.
    return f"pagecache:generation:{_digest(subject)[:32]}"


# Bumped whenever what is stored under a page's key changes shape, so that a deployment never
# reads what an older release stored.
PAGE_FORMAT = 2


def page_key(path: str, query: str, encoding: str) -> str:
    return f"pagecache:page:{PAGE_FORMAT}:{_digest(path + '?' + query)}:{encoding}"
