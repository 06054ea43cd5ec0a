"""What a shared page is stored under: its subject, and its address reduced to what matters."""

import functools
import hashlib

from django.conf import settings
from django.http import QueryDict

from serving.languages import without_language

# Every page belongs to the site; most also to one subject (see the package docstring).
SITE = "site"
FRONT = "front"

LEASE_KEY = "pagecache:lease"
REFRESH_LOCK_KEY = "pagecache:lease-renewal"
CLOCK_KEY = "pagecache:clock-checked"


def subject_of(path: str) -> str:
    """Return the subject of the page at *path*: ``"articles/<slug>"``, … or the front.

    A path under one of ``PAGE_CACHE_SUBJECTS`` with a slug after it belongs to that slug
    (``/regions/caucasus/feed/`` → ``regions/caucasus``, in any language:
    ``/ru/regions/kavkaz/`` → ``regions/kavkaz``); every other page is the front.
    ``PAGE_CACHE_SUBJECT_ALIASES`` gives other addresses about the same things their section:
    with ``{"/api/v1/stories/": "/articles/"}``, ``/api/v1/stories/<slug>/reviews/`` belongs
    to ``articles/<slug>`` and goes stale exactly when the story's page does.
    """
    # Every language's page about a thing belongs to that thing: /ru/regions/kavkaz/ is
    # regions/kavkaz, as /regions/kavkaz/ would be.
    path = without_language(path)
    for prefix, section_path in settings.PAGE_CACHE_SUBJECT_ALIASES.items():
        if path.startswith(prefix):
            path = section_path + path[len(prefix) :]
            break
    section, _, rest = path.lstrip("/").partition("/")
    slug = rest.partition("/")[0]
    if slug and section in settings.PAGE_CACHE_SUBJECTS:
        return f"{section}/{slug}"
    return FRONT


def query_parameters(path: str) -> tuple[tuple[str, ...], bool]:
    """Return the query parameters the pages at *path* read, and whether to tidy their values.

    Reader pages read ``PAGE_CACHE_QUERY_PARAMETERS``, tidied. A section with parameters of its
    own (``PAGE_CACHE_QUERY_PARAMETERS_BY_PREFIX``: the content API) gets them as sent: it
    refuses a value it does not understand, and tidying would make it accept one (a blank
    ``limit`` would read as none).
    """
    for prefix, names in settings.PAGE_CACHE_QUERY_PARAMETERS_BY_PREFIX.items():
        if path.startswith(prefix):
            return names, False
    return settings.PAGE_CACHE_QUERY_PARAMETERS, True


def normalised_query(query: QueryDict, path: str = "/") -> str:
    """Return the query string a shared page at *path* is built from: known parameters only.

    One value each, in a fixed order; for reader pages, the first that is not blank, spaces
    collapsed (see :func:`query_parameters`). Tracking tags and anything a page does not read
    are left out, so they share the page.
    """
    kept = []
    names, tidy = query_parameters(path)
    for name in sorted(names):
        for value in query.getlist(name):
            if tidy:
                value = " ".join(value.split())
            if value or not tidy:
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
