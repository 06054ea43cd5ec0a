"""Template tags for lead images.

``{% lead_picture article sizes="(min-width: 60em) 40em, 100vw" loading="lazy" %}`` renders
a ``<picture>``: WebP renditions for browsers that take them, JPEG for the rest, the original
when no renditions exist yet. Everything comes from the article row, so the tag runs no query.
``{% lead_image_url article "og.jpg" %}`` gives one rendition's URL (social cards, feeds).
``{% author_photo author %}`` renders an author's square photo the same way.
"""

from django import template

from articles.images import rendition_url

register = template.Library()


@register.inclusion_tag("articles/includes/_picture.html")
def lead_picture(article, sizes="100vw", loading="lazy"):
    """Render the lead image of *article* as a responsive <picture>."""
    context = {"article": article, "sizes": sizes, "loading": loading, "image": None}
    if not article.lead_image:
        return context
    storage = article.lead_image.storage
    by_format = _widths_by_format(article.lead_image_renditions or {})
    jpegs = by_format.get("jpg", [])
    context["image"] = {
        "alt": article.lead_image_alt,
        "width": article.lead_image_width,
        "height": article.lead_image_height,
        "webp_srcset": _srcset(storage, by_format.get("webp", [])),
        "jpeg_srcset": _srcset(storage, jpegs),
        "src": storage.url(_fallback(jpegs)) if jpegs else article.lead_image.url,
        "fetchpriority": "high" if loading == "eager" else "",
    }
    return context


@register.simple_tag
def lead_image_url(article, key="og.jpg"):
    """Return the URL of one lead-image rendition (the original if it is missing)."""
    return rendition_url(article, key)


# The author card draws the photo at this size (CSS pixels), on any screen.
AUTHOR_PHOTO_SIZE = 96


@register.inclusion_tag("articles/includes/_author_photo.html")
def author_photo(author):
    """Render the photo of *author* as a square <picture>; nothing until it is processed.

    Only renditions are shown, never the upload itself, which may still carry its metadata.
    """
    by_format = _widths_by_format(author.photo_renditions or {})
    jpegs = by_format.get("jpg", [])
    if not author.photo or not jpegs:
        return {"photo": None}
    storage = author.photo.storage
    return {
        "photo": {
            "size": AUTHOR_PHOTO_SIZE,
            "webp_srcset": _srcset(storage, by_format.get("webp", [])),
            "jpeg_srcset": _srcset(storage, jpegs),
            "src": storage.url(jpegs[0][1]),
            "sizes": f"{AUTHOR_PHOTO_SIZE}px",
        }
    }


def _widths_by_format(renditions: dict) -> dict[str, list[tuple[int, str]]]:
    """Group "<width>.<format>" keys by format, narrowest first; skip "og.jpg" and "source"."""
    grouped: dict[str, list[tuple[int, str]]] = {}
    for key, name in renditions.items():
        width, _, extension = key.partition(".")
        if width.isdigit() and name:
            grouped.setdefault(extension, []).append((int(width), name))
    for entries in grouped.values():
        entries.sort()
    return grouped


def _srcset(storage, entries: list[tuple[int, str]]) -> str:
    return ", ".join(f"{storage.url(name)} {width}w" for width, name in entries)


def _fallback(entries: list[tuple[int, str]]) -> str:
    """Pick the src for browsers without srcset: the widest up to 640 px, else the narrowest."""
    fitting = [name for width, name in entries if width <= 640]
    return fitting[-1] if fitting else entries[0][1]
