"""Generations for fragment caches: ``{% cache … page_generations.front %}`` in templates."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from pagecache import invalidation
from pagecache.keys import subject_of


def page_generations(request):
    """Expose the generations the page is built under, read once per request, when used.

    A fragment cached under them (e.g. "Latest stories", keyed by the site's and the front's
    generation) is replaced exactly when they move on. When the cache cannot be trusted, each
    request gets generations of its own, so that no fragment is reused.
    """
    return {
        "page_generations": SimpleLazyObject(lambda: _generations(request)),
        "fragment_seconds": settings.PAGE_CACHE_SECONDS or settings.PAGE_FRAGMENT_SECONDS,
    }


def _generations(request) -> invalidation.Generations:
    known = getattr(request, "page_generations", None)
    if known is not None:
        return known
    found = invalidation.current(subject_of(request.path))
    if found is None:
        unique = invalidation.new_generation()
        return invalidation.Generations(unique, unique, _front=unique)
    return found[0]
