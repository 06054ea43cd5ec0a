"""Absolute URLs from the site's one configured origin (``SITE_URL``), never from a request.

A page held by a shared cache or a CDN is served to everyone who asks, under whatever host
name they used; so no absolute URL in it may come from the request's ``Host`` or scheme.
Canonical links, OpenGraph, JSON-LD, feeds, sitemaps, robots.txt and emails all call
:func:`absolute_url`.
"""

from django.conf import settings


def absolute_url(path_or_url: str) -> str:
    """Return *path_or_url* as an absolute URL: a path is put on the site's origin.

    URLs that are absolute already (media on object storage behind its own domain) are
    returned as they are.
    """
    if path_or_url.startswith(("http://", "https://")):
        return path_or_url
    if path_or_url.startswith("//"):
        # A scheme-relative storage URL: our own scheme, its host.
        scheme = settings.SITE_URL.split(":", 1)[0]
        return f"{scheme}:{path_or_url}"
    if not path_or_url.startswith("/"):
        path_or_url = "/" + path_or_url
    return settings.SITE_URL + path_or_url
