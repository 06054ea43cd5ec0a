"""What a story body refers to: its library images, embeds and footnotes.

The body stores media as references (see articles.body): ``<figure data-image="12"
data-size="wide">``, ``<figure data-gallery="12 13 14">``, ``<figure data-embed="URL">`` and
``<span data-footnote="text">``. This module only reads them, with the standard library's
HTML parser; the sanitiser (articles.sanitizer) keeps them only in the forms defined here,
and articles.body draws them.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

FIGURE_SIZES = ("column", "wide", "full")
DEFAULT_FIGURE_SIZE = "column"
# Ids of up to 18 digits: every one fits a 64-bit integer column, on SQLite too.
IMAGE_ID = r"[1-9][0-9]{0,17}"
MAX_GALLERY = 50
# Figures, galleries and embeds in one story: more is no story, only a very heavy page.
MAX_MEDIA = 100
IMAGE_REFERENCE = re.compile(IMAGE_ID)
ID_LIST = re.compile(rf"{IMAGE_ID}(?:[ ,]+{IMAGE_ID})*")
MAX_EMBED_URL = 500
MAX_EMBEDS = 20
MAX_FOOTNOTE = 2000
# Every reference carries one of these attributes: a body without any needs no parsing, which
# is most bodies (a feed reads fifty).
MARKERS = ("data-image", "data-gallery", "data-embed", "data-footnote")


def image_ids(value: str) -> list[int]:
    """Return the image ids in a ``data-image`` or ``data-gallery`` value, in order, once each."""
    parts = re.split(r"[\s,]+", value.strip())
    return list(dict.fromkeys(int(part) for part in parts if IMAGE_REFERENCE.fullmatch(part)))


@dataclass
class References:
    """The media a body refers to, in the order they appear."""

    image_ids: list[int] = field(default_factory=list)
    embed_urls: list[str] = field(default_factory=list)
    footnotes: int = 0
    largest_gallery: int = 0
    # Figures, galleries and embeds, repeats included: what the page will draw.
    media: int = 0

    @property
    def any(self) -> bool:
        return bool(self.image_ids or self.embed_urls or self.footnotes)


class _ReferenceReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = References()
        # Insertion-ordered sets: a body may repeat an id thousands of times.
        self.images: dict[int, None] = {}
        self.embeds: dict[str, None] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "figure" and attributes.keys() & {"data-image", "data-gallery", "data-embed"}:
            self.found.media += 1
        for name in ("data-image", "data-gallery"):
            ids = image_ids(attributes.get(name) or "")
            if name == "data-gallery":
                self.found.largest_gallery = max(self.found.largest_gallery, len(ids))
            self.images.update(dict.fromkeys(ids))
        url = (attributes.get("data-embed") or "").strip()
        if tag == "figure" and url:
            self.embeds[url] = None
        if tag == "span" and "data-footnote" in attributes:
            self.found.footnotes += 1


def references(html: str) -> References:
    """Return the images, embeds and footnotes that the stored *html* refers to."""
    if not html or not any(marker in html for marker in MARKERS):
        return References()
    reader = _ReferenceReader()
    reader.feed(html)
    reader.close()
    reader.found.image_ids = list(reader.images)
    reader.found.embed_urls = list(reader.embeds)
    return reader.found
