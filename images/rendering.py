"""How a library image is drawn in a page: a <picture> of one crop, every format and width.

Everything comes from the image row (its renditions are a JSON column), so drawing runs no
query. ``sizes`` is the caller's: only the page's stylesheet knows how wide a slot is.
"""

from dataclasses import dataclass

from images.models import Image
from images.pipeline import FULL, LIBRARY_CROPS, Crop, widths_by_format

CROPS = {crop.name: crop for crop in LIBRARY_CROPS}
MIME_TYPES = {"avif": "image/avif", "webp": "image/webp"}
# For browsers without srcset: the widest file up to this width.
FALLBACK_WIDTH = 800


@dataclass
class Source:
    type: str
    srcset: str


@dataclass
class Picture:
    sources: list[Source]
    src: str
    srcset: str
    width: int
    height: int
    alt: str
    # CSS object-position for boxes of another shape (static/css/site.css crops with
    # object-fit: cover): the focal point stays in frame there too.
    position: str


def picture(image: Image | None, crop_name: str = "full") -> Picture | None:
    """Return what a <picture> of *image* in the crop *crop_name* needs, or None.

    None when there is no image, it is not processed yet (an unprocessed upload may still
    carry its metadata, so it is never shown) or it has no alt text (``Image.is_usable()``).
    A crop missing from older renditions falls back to the whole picture, framed by the
    focal point.
    """
    if image is None or not image.renditions or not image.is_usable():
        return None
    crop = CROPS[crop_name]
    by_format = widths_by_format(image.renditions, crop)
    if not by_format.get("jpg"):
        crop, by_format = FULL, widths_by_format(image.renditions, FULL)
    jpegs = by_format.get("jpg")
    if not jpegs:
        return None
    storage = image.file.storage
    widest = jpegs[-1][0]
    width, height = _size(image, crop, widest)
    fitting = [name for entry_width, name in jpegs if entry_width <= FALLBACK_WIDTH]
    return Picture(
        sources=sources(storage, by_format),
        src=storage.url(fitting[-1] if fitting else jpegs[0][1]),
        srcset=srcset(storage, jpegs),
        width=width,
        height=height,
        alt=image.alt_text,
        position=f"{image.focal_x * 100:.1f}% {image.focal_y * 100:.1f}%",
    )


def rendition_url(image: Image | None, crop_name: str, width: int | None = None) -> str:
    """Return the URL of the JPEG of *crop_name* closest to *width* (the widest by default)."""
    if image is None:
        return ""
    jpegs = widths_by_format(image.renditions or {}, CROPS[crop_name]).get("jpg")
    if not jpegs:
        return ""
    chosen = jpegs[-1]
    if width is not None:
        chosen = next((entry for entry in jpegs if entry[0] >= width), chosen)
    return image.file.storage.url(chosen[1])


def crop_size(image: Image, crop_name: str) -> tuple[int, int] | None:
    """Return the pixel size of the widest JPEG of *crop_name*, or None if there is none."""
    jpegs = widths_by_format(image.renditions or {}, CROPS[crop_name]).get("jpg")
    return _size(image, CROPS[crop_name], jpegs[-1][0]) if jpegs else None


def _size(image: Image, crop: Crop, width: int) -> tuple[int, int]:
    if crop.aspect is None:
        ratio = image.width / image.height if image.width and image.height else 3 / 2
    else:
        ratio = crop.aspect
    return width, max(1, round(width / ratio))


def sources(storage, by_format: dict[str, list[tuple[int, str]]]) -> list[Source]:
    """Return the <source>s of a <picture>: AVIF, then WebP, where the renditions have them."""
    return [
        Source(MIME_TYPES[extension], srcset(storage, by_format[extension]))
        for extension in MIME_TYPES
        if by_format.get(extension)
    ]


def srcset(storage, entries: list[tuple[int, str]]) -> str:
    """Return a srcset of (width, storage name) *entries*: "url 320w, url 640w"."""
    return ", ".join(f"{storage.url(name)} {width}w" for width, name in entries)
