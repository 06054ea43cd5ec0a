"""Draw an embed: a click-to-load placeholder, or a plain link when there is no player.

``{% load embeds %}{% embed_placeholder embed url %}`` takes the Embed (or None, when the
story's save has not fetched it) and the address as written in the story. Everything comes
from the row, so the tag runs no query. Until the reader clicks, the page asks nothing of the
provider: the thumbnail is our own copy, and the player's address waits in a data attribute
for static/js/embeds.js.
"""

from urllib.parse import urlsplit

from django import template
from django.utils.translation import gettext_lazy as _

from embeds.providers import PROVIDERS
from embeds.services import THUMBNAIL_CROP
from images.pipeline import widths_by_format
from images.rendering import sources, srcset

register = template.Library()

# One sentence per kind, so that translations can put the words in their own order.
LOAD_LABELS = {
    "video": _("Load video from %(provider)s"),
    "audio": _("Load audio from %(provider)s"),
    "chart": _("Load chart from %(provider)s"),
    "post": _("Load post from %(provider)s"),
}
OTHER_LOAD_LABEL = _("Load from %(provider)s")
PRIVACY_NOTE = _("Loading it connects to %(provider)s, which may set cookies.")
# The placeholder is at most the text column's width (static/css/site.css).
THUMBNAIL_SIZES = "(min-width: 45rem) 42rem, 100vw"
# The browser picks from srcset; this width is the src of browsers that do not.
FALLBACK_WIDTH = 640


@register.inclusion_tag("embeds/_embed.html")
def embed_placeholder(embed, url=""):
    """Render *embed* as a click-to-load player, or *url* as a plain link if it cannot play."""
    url = url or (embed.url if embed is not None else "")
    if embed is None or not embed.is_playable():
        return {
            "playable": False,
            "href": url if urlsplit(url).scheme in ("http", "https") else "",
            "text": (embed.title if embed is not None else "") or url,
        }
    provider = PROVIDERS[embed.provider]
    label = LOAD_LABELS.get(provider.kind, OTHER_LOAD_LABEL)
    return {
        "playable": True,
        "embed": embed,
        "href": embed.url,
        "title": embed.title or provider.name,
        "provider": provider,
        "ratio": f"{embed.width}/{embed.height}",
        "load_label": label % {"provider": provider.name},
        "privacy_note": PRIVACY_NOTE % {"provider": provider.name},
        "thumbnail": _thumbnail(embed),
    }


def _thumbnail(embed) -> dict | None:
    by_format = widths_by_format(embed.thumbnail_renditions or {}, THUMBNAIL_CROP)
    jpegs = by_format.get("jpg")
    if not embed.thumbnail or not jpegs:
        return None
    storage = embed.thumbnail.storage
    width, name = min(jpegs, key=lambda entry: abs(entry[0] - FALLBACK_WIDTH))
    return {
        "src": storage.url(name),
        "srcset": srcset(storage, jpegs),
        "sources": sources(storage, by_format),
        "sizes": THUMBNAIL_SIZES,
        "width": width,
        "height": round(width / THUMBNAIL_CROP.aspect),
    }
