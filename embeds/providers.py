"""The providers an editor may embed from, and how far each of them is trusted.

A provider owns some page addresses (its regexes; an ``id`` group names the video, post or
chart), answers oEmbed at an endpoint we call from the server, and plays in iframes from a
few origins. The iframe a reader loads on click is derived here and must be on one of those
origins: the ``html`` a provider sends is read for its iframe address, never put in a page.

This module reads settings only inside functions and imports no models, because
``newsroom/settings.py`` imports it to build the CSP's ``frame-src`` from the same list of
enabled providers (``NEWSROOM_EMBED_PROVIDERS``) that :func:`enabled_providers` reads.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings

# Longer frame addresses are refused: the model stores at most this many characters.
MAX_FRAME_URL_LENGTH = 1000


@dataclass(frozen=True)
class Provider:
    key: str
    name: str
    # What the button loads: "Load video from YouTube", "Load chart from Datawrapper".
    kind: str
    url_patterns: tuple[re.Pattern[str], ...]
    endpoint: str
    frame_origins: tuple[str, ...]
    # Return the player's address from a match of url_patterns and the oEmbed answer.
    derive_frame: Callable[[re.Match[str], dict], str | None]
    # Hosts a thumbnail may come from besides the endpoint's own; ".example.net" is a suffix.
    thumbnail_hosts: tuple[str, ...] = ()
    # The player's size when the answer gives none (a post's height is only known once shown).
    default_size: tuple[int, int] = (640, 360)

    def match(self, url: str) -> re.Match[str] | None:
        """Return the match of page *url* against this provider's addresses, or None."""
        for pattern in self.url_patterns:
            if found := pattern.match(url):
                return found
        return None

    def frame_url(self, url: str, data: dict) -> str | None:
        """Return the iframe address to load for page *url*, or None unless it is ours to load.

        *data* is the oEmbed answer. The address must be https on one of ``frame_origins``.
        """
        found = self.match(url)
        candidate = self.derive_frame(found, data) if found else None
        if not candidate or len(candidate) > MAX_FRAME_URL_LENGTH:
            return None
        if origin_of(candidate) not in self.frame_origins:
            return None
        # "HTTPS://Host/…" is the same origin; stored as the browser script expects it.
        parts = urlsplit(candidate)
        return urlunsplit(parts._replace(scheme="https", netloc=parts.netloc.lower()))


def origin_of(url: str) -> str | None:
    """Return the https origin of *url* ("https://host[:port]"), or None for anything else."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    if parts.scheme != "https" or not parts.hostname or parts.username is not None:
        return None
    return f"https://{parts.netloc.lower()}"


class _FirstIframe(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.src: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "iframe" and self.src is None:
            self.src = dict(attrs).get("src") or ""


def iframe_src(html: object) -> str | None:
    """Return the src of the first iframe in an oEmbed *html* string, or None."""
    if not isinstance(html, str):
        return None
    parser = _FirstIframe()
    parser.feed(html)
    parser.close()
    src = (parser.src or "").strip()
    # Providers write protocol-relative addresses ("//w.soundcloud.com/..."); we load https.
    return f"https:{src}" if src.startswith("//") else src or None


def with_query(url: str, **params: str) -> str:
    """Return *url* with *params* set in its query string (replacing any of the same name)."""
    parts = urlsplit(url)
    query = [(name, value) for name, value in parse_qsl(parts.query) if name not in params]
    return urlunsplit(parts._replace(query=urlencode([*query, *params.items()])))


def _page(*patterns: str) -> tuple[re.Pattern[str], ...]:
    # Hosts are case-insensitive; the id groups already allow both cases.
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in patterns)


def _youtube_frame(found: re.Match[str], data: dict) -> str:
    # Privacy-enhanced mode: YouTube sets no cookie until the video plays. The reader has
    # just clicked, so it starts at once.
    return f"https://www.youtube-nocookie.com/embed/{found['id']}?autoplay=1"


def _vimeo_frame(found: re.Match[str], data: dict) -> str | None:
    src = iframe_src(data.get("html"))
    # dnt: Vimeo then tracks no session data; autoplay for the same reason as YouTube.
    return with_query(src, dnt="1", autoplay="1") if src else None


def _html_frame(found: re.Match[str], data: dict) -> str | None:
    return iframe_src(data.get("html"))


def _tweet_frame(found: re.Match[str], data: dict) -> str:
    # X's oEmbed html is a blockquote plus widgets.js, which we never run: its own iframe,
    # addressed by the post's id, shows the same post.
    return f"https://platform.twitter.com/embed/Tweet.html?id={found['id']}&dnt=true"


def _instagram_frame(found: re.Match[str], data: dict) -> str:
    # As for X: a blockquote plus embed.js in the html, so the iframe comes from the id.
    return f"https://www.instagram.com/p/{found['id']}/embed"


PROVIDERS: dict[str, Provider] = {
    provider.key: provider
    for provider in (
        Provider(
            key="youtube",
            name="YouTube",
            kind="video",
            url_patterns=_page(
                r"https?://(?:www\.|m\.)?youtube\.com/watch\?(?:[^#]*&)?v=(?P<id>[\w-]{11})(?:[&#]|$)",
                r"https?://youtu\.be/(?P<id>[\w-]{11})(?:[/?#]|$)",
                r"https?://(?:www\.|m\.)?youtube\.com/shorts/(?P<id>[\w-]{11})(?:[/?#]|$)",
            ),
            endpoint="https://www.youtube.com/oembed",
            frame_origins=("https://www.youtube-nocookie.com",),
            derive_frame=_youtube_frame,
            thumbnail_hosts=("i.ytimg.com",),
        ),
        Provider(
            key="vimeo",
            name="Vimeo",
            kind="video",
            url_patterns=_page(
                r"https?://(?:www\.)?vimeo\.com/(?:channels/[\w-]+/|groups/[\w-]+/videos/)?(?P<id>\d+)(?:[/?#]|$)",
                r"https?://player\.vimeo\.com/video/(?P<id>\d+)(?:[/?#]|$)",
            ),
            endpoint="https://vimeo.com/api/oembed.json",
            frame_origins=("https://player.vimeo.com",),
            derive_frame=_vimeo_frame,
            thumbnail_hosts=("i.vimeocdn.com",),
        ),
        Provider(
            key="x",
            name="X",
            kind="post",
            url_patterns=_page(
                r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/\w{1,15}/status(?:es)?/(?P<id>\d+)(?:[/?#]|$)",
            ),
            endpoint="https://publish.twitter.com/oembed",
            frame_origins=("https://platform.twitter.com",),
            derive_frame=_tweet_frame,
            default_size=(550, 650),
        ),
        Provider(
            key="datawrapper",
            name="Datawrapper",
            kind="chart",
            url_patterns=_page(
                r"https?://datawrapper\.dwcdn\.net/(?P<id>\w{5})(?:[/?#]|$)",
                r"https?://(?:www\.)?datawrapper\.de/_/(?P<id>\w{5})(?:[/?#]|$)",
            ),
            endpoint="https://api.datawrapper.de/v3/oembed",
            frame_origins=("https://datawrapper.dwcdn.net",),
            derive_frame=_html_frame,
            thumbnail_hosts=("datawrapper.dwcdn.net",),
            default_size=(640, 480),
        ),
        Provider(
            key="flourish",
            name="Flourish",
            kind="chart",
            url_patterns=_page(
                r"https?://(?:public\.flourish\.studio|flo\.uri\.sh)/(?:visualisation|story)/(?P<id>\d+)(?:[/?#]|$)",
            ),
            endpoint="https://app.flourish.studio/api/v1/oembed",
            frame_origins=("https://flo.uri.sh",),
            derive_frame=_html_frame,
            thumbnail_hosts=("public.flourish.studio",),
            default_size=(640, 480),
        ),
        Provider(
            key="soundcloud",
            name="SoundCloud",
            kind="audio",
            url_patterns=_page(
                r"https?://(?:www\.|m\.)?soundcloud\.com/[\w-]+/(?:sets/)?[\w-]+/?(?:[?#]|$)",
            ),
            endpoint="https://soundcloud.com/oembed",
            frame_origins=("https://w.soundcloud.com",),
            derive_frame=_html_frame,
            thumbnail_hosts=(".sndcdn.com",),
            default_size=(640, 400),
        ),
        Provider(
            key="instagram",
            name="Instagram",
            kind="post",
            url_patterns=_page(
                r"https?://(?:www\.)?instagram\.com/(?:[\w.]+/)?(?:p|reel|tv)/(?P<id>[\w-]+)/?(?:[?#]|$)",
            ),
            # Meta answers only requests that carry an app's access token: give it through
            # NEWSROOM_OEMBED_ENDPOINTS ("...instagram_oembed?access_token=..."). Without
            # one every Instagram post stays a plain link.
            endpoint="https://graph.facebook.com/v22.0/instagram_oembed",
            frame_origins=("https://www.instagram.com",),
            derive_frame=_instagram_frame,
            thumbnail_hosts=(".cdninstagram.com", ".fbcdn.net"),
            default_size=(540, 700),
        ),
    )
}


def frame_origins_of(keys: Iterable[str]) -> list[str]:
    """Return the frame origins of the providers named by *keys*, sorted, each once.

    Raise ValueError for a key that names no provider, so that settings refuse to start.
    """
    unknown = [key for key in keys if key not in PROVIDERS]
    if unknown:
        raise ValueError(
            f"no provider called {', '.join(unknown)}; choose from {', '.join(PROVIDERS)}"
        )
    return sorted({origin for key in keys for origin in PROVIDERS[key].frame_origins})


def enabled_providers() -> list[Provider]:
    """Return the providers named in NEWSROOM_EMBED_PROVIDERS, in that order."""
    return [PROVIDERS[key] for key in settings.NEWSROOM_EMBED_PROVIDERS if key in PROVIDERS]


def is_enabled(key: str) -> bool:
    return key in PROVIDERS and key in settings.NEWSROOM_EMBED_PROVIDERS


def provider_for(url: str) -> Provider | None:
    """Return the enabled provider that owns page *url*, or None."""
    for provider in enabled_providers():
        if provider.match(url):
            return provider
    return None


def frame_origins() -> list[str]:
    """Return the origins all enabled providers' players load from (CSP frame-src)."""
    return frame_origins_of(settings.NEWSROOM_EMBED_PROVIDERS)


def endpoint_for(provider: Provider) -> str:
    """Return the oEmbed endpoint to call for *provider*: its own, unless settings override it."""
    return settings.NEWSROOM_OEMBED_ENDPOINTS.get(provider.key, provider.endpoint)


def thumbnail_allowed(provider: Provider, url: str) -> bool:
    """Return whether a thumbnail may be copied from *url* for *provider*.

    From the endpoint's own scheme and host, or over https from a listed thumbnail host:
    the server fetches it, so an oEmbed answer must not point it anywhere else.
    """
    try:
        parts = urlsplit(url)
        endpoint = urlsplit(endpoint_for(provider))
        same_place = (parts.scheme, parts.netloc) == (endpoint.scheme, endpoint.netloc)
        port = parts.port
    except ValueError:  # a port that is no number, a malformed address
        return False
    if parts.username is not None or not parts.hostname:
        return False
    if same_place:
        return True
    host = parts.hostname
    listed = any(
        host.endswith(allowed) if allowed.startswith(".") else host == allowed
        for allowed in provider.thumbnail_hosts
    )
    return parts.scheme == "https" and port is None and listed
