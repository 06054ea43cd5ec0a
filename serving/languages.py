"""The site's languages in its addresses.

The default language (the first of ``NEWSROOM_LANGUAGES``) keeps addresses without a prefix,
so every address from before the site had languages still leads where it did: links, feed
subscriptions and search engines' indexes. Each other language has its code in front
(``/ru/articles/…``). The language of a reader's page comes from its address alone, never
from a cookie or ``Accept-Language``, so that a shared page is the same for everyone who asks
for it and a cache needs no ``Vary``.
"""

from django.conf import settings
from django.urls import translate_url

from serving.origin import absolute_url


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_name(code: str) -> str:
    """Return the language's name in itself ("Русский")."""
    return dict(settings.LANGUAGES).get(code, code)


def language_of_path(path: str) -> str | None:
    """Return the language whose prefix *path* starts with, or None (the default's address)."""
    first = path.lstrip("/").partition("/")[0]
    if first in language_codes() and (path == f"/{first}" or path.startswith(f"/{first}/")):
        return first
    return None


def without_language(path: str) -> str:
    """Return *path* without its language prefix: ``/ru/regions/kavkaz/`` → ``/regions/kavkaz/``."""
    language = language_of_path(path)
    if language is None:
        return path
    # One leading slash, whatever followed the prefix: "/en//evil.example/" must not become
    # a protocol-relative address to another site.
    return "/" + path[len(language) + 1 :].lstrip("/")


def in_language(path: str, language: str) -> str:
    """Return *path* (an address of the default language) as *language*'s address."""
    if language == settings.LANGUAGE_CODE:
        return path
    return f"/{language}{path}"


def same_page_alternates(request) -> dict[str, str]:
    """Return, by language, this page's address under each language's prefix, for a page with
    no subject of its own (home, search, a sign-up page); {} for any other.

    A page about something (a slug or id in its address) is about one row in one language:
    its view knows the other languages' rows and gives their addresses itself.
    """
    match = getattr(request, "resolver_match", None)
    if match is None or match.kwargs or match.args:
        return {}
    return {code: translate_url(request.path, code) for code in language_codes()}


def hreflang_links(alternates: dict[str, str]) -> list[tuple[str, str]]:
    """Return a page's ``hreflang`` links from its *alternates* (addresses by language): each
    language's, then ``x-default`` for the default language's, all absolute; none for a page
    in one language only.

    The one rule for ``<link rel="alternate" hreflang>`` in pages and ``xhtml:link`` in the
    sitemaps, so that the two always name the same set.
    """
    if len(alternates) < 2:
        return []
    links = [(code, absolute_url(path)) for code, path in alternates.items()]
    default = alternates.get(settings.LANGUAGE_CODE)
    if default is not None:
        links.append(("x-default", absolute_url(default)))
    return links
