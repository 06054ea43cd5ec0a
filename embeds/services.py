"""Ask a provider about a pasted address once, on the server, and keep the answer.

``fetch_embed(url)`` calls the provider's oEmbed endpoint, derives the player's address on
the provider's own frame origin and copies the thumbnail into our media through the image
pipeline; ``fetch_embeds(urls)`` does it for every embed of a story being saved. A provider
that is unknown, disabled, slow, down or answers nonsense never raises: the embed is marked,
the reason kept for editors, and readers get a plain link. A failure is tried again after
``RETRY_FAILED_AFTER``; a success is kept until an editor asks for it again ("Fetch again").
"""

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from datetime import timedelta
from http.client import HTTPException
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPRedirectHandler, Request, build_opener

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from embeds.models import Embed
from embeds.providers import Provider, endpoint_for, provider_for, thumbnail_allowed
from images.pipeline import FOCAL_KEY, Crop, process_image, validate_image
from serving.text import without_control_characters

logger = logging.getLogger(__name__)

MAX_OEMBED_BYTES = 1024 * 1024
MAX_THUMBNAIL_BYTES = 5 * 1024 * 1024
# Players are drawn at most this wide; some providers size their answer to it.
MAX_WIDTH = 1280
RETRY_FAILED_AFTER = timedelta(hours=1)
SAVE_BUDGET_SECONDS = 15
# The placeholder is a 16:9 box at the text column's width, on screens of one to two times.
THUMBNAIL_CROP = Crop("", 16 / 9, (320, 640, 1280))
# Players narrower or wider than this are someone's mistake; they get the provider's shape.
RATIO_LIMITS = (1 / 3, 4.0)
# Only the shape is used; a side beyond this is no real player (and no database integer).
MAX_PLAYER_SIDE = 10_000
READ_CHUNK = 64 * 1024
USER_AGENT = f"Newsroom-oEmbed/1.0 (+{settings.SITE_URL})"

validate_address = URLValidator(schemes=["http", "https"])


class FetchError(Exception):
    """A provider's failure, told in a few words an editor understands."""


def fetch_embed(url: str, *, force: bool = False) -> Embed:
    """Return the embed of page *url*, asking its provider unless the answer is already kept.

    Nothing is asked when it was fetched fine before, or failed less than an hour ago,
    unless *force*. Raise ValidationError only for a *url* that is not an http(s) address of
    at most 500 characters.
    """
    url = clean_url(url)
    embed, _created = Embed.objects.get_or_create(url=url)
    if not force and is_settled(embed):
        return embed
    provider = provider_for(url)
    if provider is None:
        embed.provider = ""
        _finish(embed, Embed.Status.UNKNOWN_PROVIDER, _("Not a provider we embed from."))
        return embed
    embed.provider = provider.key
    try:
        data = _fetch_oembed(provider, url)
        frame_url = _read_answer(embed, provider, url, data)
    except FetchError as error:
        logger.warning("Embedding %s failed: %s", url, error)
        _finish(embed, Embed.Status.FAILED, str(error))
        return embed
    embed.frame_url = frame_url
    old_files = thumbnail_files(embed)
    problem = _copy_thumbnail(embed, provider, data.get("thumbnail_url"))
    _finish(embed, Embed.Status.OK, problem)
    stale = [name for name in old_files if name not in thumbnail_files(embed)]
    storage = embed.thumbnail.storage
    transaction.on_commit(lambda: _delete(storage, stale))
    return embed


def fetch_embeds(urls: list[str]) -> dict[str, Embed]:
    """Return the embed of each of *urls* (as given), fetching those not yet settled.

    Addresses that are not http(s) URLs of at most 500 characters are left out, and so get
    the template tag's plain link (plain text for anything but http and https).
    """
    cleaned = {}
    for url in urls:
        try:
            cleaned[url] = clean_url(url)
        except ValidationError:
            continue
    known = {embed.url: embed for embed in Embed.objects.filter(url__in=cleaned.values())}
    embeds = {}
    # A story with many slow providers must not hold the worker for minutes (mail and
    # webhooks queue behind it): what is left when the time is up stays a plain link until
    # the story's next save.
    give_up_at = time.monotonic() + SAVE_BUDGET_SECONDS
    for url, address in cleaned.items():
        embed = known.get(address)
        if embed is None or not is_settled(embed):
            if time.monotonic() > give_up_at:
                continue
            embed = known[address] = fetch_embed(address)
        embeds[url] = embed
    return embeds


def clean_url(url: str) -> str:
    """Return *url* as stored (without surrounding whitespace), or raise ValidationError."""
    url = url.strip()
    if len(url) > Embed._meta.get_field("url").max_length:
        raise ValidationError(_("This address is too long to embed."), code="too_long")
    validate_address(url)
    return url


def is_settled(embed: Embed) -> bool:
    """Return whether *embed* needs no request: fetched fine, failed within the hour, or not a
    provider's address (until a provider that owns it is enabled)."""
    if embed.status == Embed.Status.OK:
        return True
    if embed.status == Embed.Status.UNKNOWN_PROVIDER:
        return provider_for(embed.url) is None
    return (
        embed.status == Embed.Status.FAILED
        and embed.fetched_at is not None
        and embed.fetched_at > timezone.now() - RETRY_FAILED_AFTER
    )


def thumbnail_files(embed: Embed) -> list[str]:
    """Return the storage names of *embed*'s thumbnail and its renditions."""
    names = [name for key, name in embed.thumbnail_renditions.items() if key != FOCAL_KEY]
    if embed.thumbnail:
        names.append(embed.thumbnail.name)
    return list(dict.fromkeys(name for name in names if name))


def delete_thumbnail_files(embed: Embed) -> None:
    """Delete the thumbnail files of a deleted *embed* once the deletion is committed."""
    storage, names = embed.thumbnail.storage, thumbnail_files(embed)
    transaction.on_commit(lambda: _delete(storage, names))


def _finish(embed: Embed, status: str, error: str) -> None:
    embed.status = status
    embed.error = error[: Embed._meta.get_field("error").max_length]
    embed.fetched_at = timezone.now()
    embed.save()


def _fetch_oembed(provider: Provider, url: str) -> dict:
    endpoint = endpoint_for(provider)
    query = urlencode({"url": url, "format": "json", "maxwidth": MAX_WIDTH})
    # An endpoint given in settings may carry its own parameters (Instagram's access token).
    separator = "&" if urlsplit(endpoint).query else "?"
    body = _download(f"{endpoint}{separator}{query}", MAX_OEMBED_BYTES, "application/json")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise FetchError(_("The provider's answer is not JSON.")) from None
    if not isinstance(data, dict) or data.get("type") not in ("video", "rich"):
        raise FetchError(_("The provider's answer is not a player (oEmbed video or rich)."))
    return data


def _read_answer(embed: Embed, provider: Provider, url: str, data: dict) -> str:
    """Copy the oEmbed answer's text and shape into *embed*; return the player's address."""
    frame_url = provider.frame_url(url, data)
    if frame_url is None:
        raise FetchError(
            _("The provider's answer has no player on %(origins)s.")
            % {"origins": ", ".join(provider.frame_origins)}
        )
    embed.title = _text(data.get("title"), Embed._meta.get_field("title").max_length)
    embed.author_name = _text(
        data.get("author_name"), Embed._meta.get_field("author_name").max_length
    )
    embed.width, embed.height = _player_size(data, provider.default_size)
    return frame_url


def _text(value: object, length: int) -> str:
    if not isinstance(value, str):
        return ""
    # Shown in pages and feeds: nothing XML cannot carry, no NUL PostgreSQL refuses.
    return " ".join(without_control_characters(value).split())[:length]


def _player_size(data: dict, default: tuple[int, int]) -> tuple[int, int]:
    try:
        # Some answers give "100%", nothing, or Infinity: those get the provider's usual shape.
        width, height = int(data.get("width")), int(data.get("height"))
    except (TypeError, ValueError, OverflowError):
        return default
    if not (0 < width <= MAX_PLAYER_SIDE and 0 < height <= MAX_PLAYER_SIDE):
        return default
    if not RATIO_LIMITS[0] <= width / height <= RATIO_LIMITS[1]:
        return default
    return width, height


def _copy_thumbnail(embed: Embed, provider: Provider, url: object) -> str:
    """Copy the thumbnail at *url* into *embed* with its renditions; return a problem or ""."""
    embed.thumbnail = None
    embed.thumbnail_width = embed.thumbnail_height = 0
    embed.thumbnail_renditions = {}
    if not url or not isinstance(url, str):
        return ""
    if not thumbnail_allowed(provider, url):
        logger.warning("Thumbnail of %s refused: %s is not the provider's", embed.url, url)
        return _("Thumbnail not copied: it is not on the provider's hosts.")
    try:
        upload = ContentFile(_download(url, MAX_THUMBNAIL_BYTES, "image/*"))
        validate_image(upload)
        embed.thumbnail.save(urlsplit(url).path.rsplit("/", 1)[-1], upload, save=False)
        done = process_image(embed.thumbnail, previous={}, crops=(THUMBNAIL_CROP,))
    except (FetchError, ValidationError, OSError, ValueError) as error:
        _discard(embed)
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        logger.warning("Thumbnail of %s not copied: %s", embed.url, message)
        return _("Thumbnail not copied: %(reason)s") % {"reason": message}
    embed.thumbnail.name = done.name
    embed.thumbnail_width, embed.thumbnail_height = done.width, done.height
    embed.thumbnail_renditions = done.renditions
    # The raw copy, which may carry the provider's metadata: only the re-encoded one is kept.
    _delete(embed.thumbnail.storage, done.obsolete)
    return ""


def _discard(embed: Embed) -> None:
    """Delete a thumbnail copied but not processed: nothing unclean stays in our media."""
    if embed.thumbnail:
        embed.thumbnail.storage.delete(embed.thumbnail.name)
    embed.thumbnail = None
    embed.thumbnail_width = embed.thumbnail_height = 0


def _delete(storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


class _SameHostRedirects(HTTPRedirectHandler):
    """Follow a redirect only to the same scheme, host and port as the request."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        old, new = urlsplit(req.full_url), urlsplit(newurl)
        if (new.scheme, new.netloc) != (old.scheme, old.netloc):
            fp.close()
            raise FetchError(_("The provider redirected to another host; not followed."))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = build_opener(_SameHostRedirects)
# A few at a time: a provider that never lets go ties up one thread, not the site.
_fetchers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="oembed")


def _download(url: str, limit: int, accept: str) -> bytes:
    """Return the body at *url*, or raise FetchError past *limit* bytes or the timeout.

    One deadline bounds the whole exchange, headers included: the socket timeout bounds only
    each wait, and a server may trickle a header line every few seconds for ever. The
    exchange runs on a fetcher thread; past the deadline the caller moves on (a plain link)
    and the thread ends when the server lets go.
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(_("Only http and https addresses are fetched."))
    timeout = settings.NEWSROOM_OEMBED_TIMEOUT
    exchange = _fetchers.submit(_exchange, url, limit, accept, timeout)
    try:
        return exchange.result(timeout=timeout)
    except FuturesTimeout:
        exchange.cancel()
        raise FetchError(
            _("The provider did not answer within %(seconds)s seconds.") % {"seconds": timeout}
        ) from None


def _exchange(url: str, limit: int, accept: str, timeout: float) -> bytes:
    request = Request(url, headers={"Accept": accept, "User-Agent": USER_AGENT})
    # The socket timeout bounds each wait; the deadline bounds a server that trickles.
    deadline = time.monotonic() + timeout
    too_large = FetchError(_("The answer is larger than %(size)s.") % {"size": _size(limit)})
    try:
        with _opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > limit:
                raise too_large
            chunks, size = [], 0
            while size <= limit:
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunk = response.read1(min(READ_CHUNK, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            if size > limit:
                raise too_large
            return b"".join(chunks)
    except HTTPError as error:
        error.close()
        raise FetchError(_("The provider answered HTTP %(code)s.") % {"code": error.code}) from None
    except (TimeoutError, URLError) as error:
        if isinstance(error, TimeoutError) or isinstance(error.reason, TimeoutError):
            raise FetchError(
                _("The provider did not answer within %(seconds)s seconds.") % {"seconds": timeout}
            ) from None
        raise FetchError(
            _("The provider could not be reached (%(reason)s).") % {"reason": error.reason}
        ) from None
    except (OSError, HTTPException, ValueError) as error:
        raise FetchError(
            _("The provider could not be reached (%(reason)s).")
            % {"reason": str(error) or error.__class__.__name__}
        ) from None


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB"
