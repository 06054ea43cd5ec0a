"""Template tags that draw library images in the reader pages' slots.

``{% slot_picture image "teaser-front" loading="lazy" %}`` renders a responsive
``<picture>``: AVIF, WebP and JPEG in every width, with the ``sizes`` of the slot. A slot
names the crop it shows and how wide it is drawn, which only static/css/site.css decides:
change one, change the other (tests/e2e/test_media.py measures every slot in Chromium
and fails when a browser would pick a file narrower than the slot at twice its pixels).
``{% lead_picture article "lead" %}`` draws a story's lead image; ``{% author_photo author %}``
an author's square photo. Neither runs a query: renditions live on the image row.

The first picture of a page is ``loading="eager"`` (with ``fetchpriority="high"``), the rest
lazy: the templates pass it.
"""

from dataclasses import dataclass

from django import template

from articles import body
from images.pipeline import AUTHOR_PHOTO_CROPS, widths_by_format
from images.rendering import picture, sources, srcset

register = template.Library()


@dataclass(frozen=True)
class Slot:
    crop: str
    sizes: str


# The page is at most 74rem wide with a gutter of up to 2rem each side; from 60rem the main
# column leaves 19rem + 3.5rem to "Latest stories" (.layout). Each figure errs on the wide
# side, never the narrow one.
MAIN_COLUMN = "(min-width: 74rem) 48rem, (min-width: 60rem) calc(100vw - 22rem), 100vw"
SLOTS = {
    # Home lead story and a story's lead image: the whole main column.
    "lead": Slot("full", MAIN_COLUMN),
    # The first teaser of a home region block or "More from …": three fifths of the page
    # from 48rem (.teaser-front), the main column on a story page.
    "teaser-front": Slot("3x2", "(min-width: 74rem) 41rem, (min-width: 48rem) 62vw, 100vw"),
    # Region, rubric, tag and author lists: a 13rem column beside the text from 40rem.
    "teaser-list": Slot("3x2", "(min-width: 40rem) 13rem, 100vw"),
    # Figures in a story's text (.figure--column, --wide, --full).
    "figure-column": Slot("full", "(min-width: 46rem) 42rem, 100vw"),
    "figure-wide": Slot("full", MAIN_COLUMN),
    "figure-full": Slot("full", MAIN_COLUMN),
    # A gallery: two across from 30rem, three from 60rem, in the main column.
    "gallery": Slot(
        "3x2", "(min-width: 74rem) 16rem, (min-width: 60rem) 33vw, (min-width: 30rem) 50vw, 100vw"
    ),
}


def picture_context(image, slot: str, loading: str = "lazy", class_name: str = "") -> dict:
    """Return the context of templates/images/_picture.html for *image* in *slot*."""
    chosen = SLOTS[slot]
    return {
        "picture": picture(image, chosen.crop),
        "sizes": chosen.sizes,
        "loading": loading,
        "class_name": class_name,
    }


@register.inclusion_tag("images/_picture.html")
def slot_picture(image, slot, loading="lazy"):
    """Render library *image* as drawn in *slot* (a key of SLOTS)."""
    return picture_context(image, slot, loading)


@register.inclusion_tag("images/_picture.html")
def lead_picture(article, slot="lead", loading="lazy"):
    """Render the lead image of *article* as drawn in *slot*."""
    return picture_context(article.shown_lead_image, slot, loading, "lead-picture")


@register.simple_tag
def first_pictured(stories):
    """Return the id of the first of *stories* with a lead image: the page's first picture."""
    return next((story.pk for story in stories if story.lead_image_id), None)


# The author card draws the photo at this size (CSS pixels), on any screen.
AUTHOR_PHOTO_SIZE = 96


@register.inclusion_tag("articles/includes/_author_photo.html")
def author_photo(author):
    """Render the photo of *author* as a square <picture>; nothing until it is processed.

    Only renditions are shown, never the upload itself, which may still carry its metadata.
    """
    by_format = widths_by_format(author.photo_renditions or {}, AUTHOR_PHOTO_CROPS[0])
    jpegs = by_format.get("jpg", [])
    if not author.photo or not jpegs:
        return {"photo": None}
    storage = author.photo.storage
    return {
        "photo": {
            "size": AUTHOR_PHOTO_SIZE,
            "sources": sources(storage, by_format),
            "jpeg_srcset": srcset(storage, jpegs),
            "src": storage.url(jpegs[0][1]),
            "sizes": f"{AUTHOR_PHOTO_SIZE}px",
        }
    }


@register.simple_tag
def story_body(article):
    """Return the body of *article* with its figures, galleries, embeds and footnotes drawn."""
    return body.render(article)
