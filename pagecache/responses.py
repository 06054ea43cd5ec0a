"""Shared responses: which ones may be shared, their headers, and their compressed forms."""

import gzip
import hashlib
from dataclasses import dataclass

import brotli
from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_max_age, patch_cache_control, patch_vary_headers

# Stored once, served many times: a little more effort than a per-request compressor spends.
GZIP_LEVEL = 6
BROTLI_QUALITY = 5
ENCODINGS = ("br", "gzip")
# Content-Length is the stored variant's own; the rest come back as the view sent them.
NOT_STORED = {"content-length", "content-encoding"}


@dataclass(frozen=True)
class Entry:
    """One stored variant of a page: what it was built under, and the finished response.

    The response is stored whole, as Django's own cache middleware stores it: every header
    comes back exactly as the miss sent it.
    """

    stamp: tuple[str, str]
    response: HttpResponse
    encoding: str


def is_shareable(request, response, statuses=(200,)) -> bool:
    """Return whether *response* is the same for anyone who asks, so any cache may keep it.

    A 200 (or one of *statuses*) to a GET that set no cookie, was not marked private, and
    varies on nothing but the encoding (a page that read the session varies on ``Cookie``).
    """
    if response.status_code not in statuses or response.streaming or response.cookies:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    varies = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
    return varies <= {"accept-encoding"}


def lifetime(response) -> int:
    """Return how long a shared cache may keep *response*: the settings', or less if it says."""
    seconds = settings.PAGE_MAX_AGE
    declared = get_max_age(response)
    return seconds if declared is None else max(0, min(seconds, declared))


def make_public(response) -> int:
    """Mark *response* as cacheable by CDNs and proxies; return their lifetime in seconds.

    Browsers keep it too but ask again at every visit (``max-age=0``), answered with a 304
    from the page cache while nothing changed: a reader never sees a page older than a CDN's.
    """
    seconds = lifetime(response)
    if "max-age" in response.get("Cache-Control", ""):
        del response["Cache-Control"]
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PAGE_BROWSER_MAX_AGE,
        s_maxage=seconds,
        stale_while_revalidate=settings.PAGE_STALE_WHILE_REVALIDATE,
    )
    patch_vary_headers(response, ["Accept-Encoding"])
    return seconds


def accepted_encoding(request) -> str:
    """Return the encoding to send: ``br`` or ``gzip`` if the client takes it, else identity."""
    offered = set()
    for part in request.META.get("HTTP_ACCEPT_ENCODING", "").split(","):
        token, _, params = part.partition(";")
        quality = params.replace(" ", "").lower()
        if quality.startswith("q=") and quality[2:] in ("0", "0.", "0.0", "0.00", "0.000"):
            continue
        offered.add(token.strip().lower())
    for encoding in ENCODINGS:
        if encoding in offered:
            return encoding
    return "identity"


def compress(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=BROTLI_QUALITY)
    if encoding == "gzip":
        return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    return body


def entries(response, stamp: tuple[str, str], encodings=ENCODINGS) -> dict[str, Entry]:
    """Return *response* as one stored entry per encoding in *encodings*."""
    body = response.content
    etag = f'W/"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'
    headers = {name: value for name, value in response.items() if name.lower() not in NOT_STORED}
    return {
        encoding: Entry(
            stamp, variant(response.status_code, headers, body, etag, encoding), encoding
        )
        for encoding in encodings
    }


def variant(status: int, headers: dict, body: bytes, etag: str, encoding: str) -> HttpResponse:
    """Return the response of one encoding: its own body, length and Content-Encoding."""
    compressed = compress(body, encoding)
    response = HttpResponse(compressed, status=status, headers=headers)
    if encoding != "identity":
        response["Content-Encoding"] = encoding
    response["Content-Length"] = str(len(compressed))
    response["ETag"] = etag
    return response


def response_from(entry: Entry, encoding: str) -> HttpResponse:
    """Return the response for a client that accepts *encoding* from a stored *entry*."""
    if encoding == entry.encoding:
        return entry.response
    # A client that takes no compression: the stored gzip variant, unpacked.
    stored = entry.response
    body = gzip.decompress(stored.content)
    headers = {name: value for name, value in stored.items() if name.lower() not in NOT_STORED}
    return variant(stored.status_code, headers, body, stored["ETag"], "identity")
