"""Story bodies with media: the HTML readers get from the references stored.

The body is stored as sanitised HTML (articles.sanitizer) in which media are references,
not markup: an editor's figure is ``<figure data-image="12" data-size="wide"></figure>``, a
gallery ``<figure data-gallery="12 13 14"></figure>``, an embed
``<figure data-embed="https://youtu.be/…"></figure>`` and a footnote
``<span data-footnote="The note's text."></span>``. We chose HTML over structured blocks
because the rich-text editor, search, history diffs, reading time and revert already work
on one HTML column, and a reference keeps what belongs to the picture (alt text, caption,
credit, focal point, renditions) in the image library, where one correction reaches every
story that uses it.

``articles.references`` reads the references; ``render()`` turns them into the reader's
markup when a page is built: responsive ``<picture>`` elements exactly like the lead image's,
click-to-load embed placeholders, and numbered footnotes linked both ways, whose ids
(``fn-3``, ``fnref-3``) the renderer makes: no id is ever taken from stored HTML. It reads
the stored HTML with the standard library's HTML parser (the HTML is nh3's serialisation, so
well formed) and fetches every image and embed of the body in one query each, however many
there are. Feeds ask for ``absolute=True``: plain ``<img>`` elements and links, with absolute URLs.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from django.template.loader import render_to_string
from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from articles.references import (
    DEFAULT_FIGURE_SIZE,
    FIGURE_SIZES,
    MAX_FOOTNOTE,
    image_ids,
    references,
)
from embeds.models import Embed
from embeds.templatetags.embeds import embed_placeholder
from images.models import Image
from images.rendering import rendition_url
from serving.origin import absolute_url
from serving.text import without_control_characters

# Rendering -------------------------------------------------------------------------------


class _Renderer(HTMLParser):
    """Copy stored HTML through, replacing each reference with what readers see."""

    def __init__(self, images, embeds, *, absolute: bool, eager_first: bool):
        # Character references pass through untouched: the text is already escaped HTML.
        super().__init__(convert_charrefs=False)
        self.images = images
        self.embeds = embeds
        self.absolute = absolute
        self.eager_next = eager_first
        self.out: list[str] = []
        self.notes: list[str] = []
        # Inside a reference element: its own content (normally none) is dropped.
        self.skipping: str | None = None
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if self.skipping:
            self.depth += tag == self.skipping
            return
        attributes = dict(attrs)
        if tag == "figure" and ("data-image" in attributes or "data-gallery" in attributes):
            self._skip(tag)
            if "data-gallery" in attributes:
                self.out.append(self._gallery(image_ids(attributes["data-gallery"] or "")))
            else:
                ids = image_ids(attributes["data-image"] or "")
                size = attributes.get("data-size")
                size = size if size in FIGURE_SIZES else DEFAULT_FIGURE_SIZE
                self.out.append(self._figure(ids[0] if ids else None, size))
            return
        if tag == "figure" and "data-embed" in attributes:
            self._skip(tag)
            self.out.append(self._embed((attributes["data-embed"] or "").strip()))
            return
        if tag == "span" and "data-footnote" in attributes:
            self._skip(tag)
            self.out.append(self._footnote_reference(attributes["data-footnote"] or ""))
            return
        self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        if not self.skipping:
            self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if self.skipping:
            if tag == self.skipping:
                if self.depth:
                    self.depth -= 1
                else:
                    self.skipping = None
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(data)

    def handle_entityref(self, name):
        if not self.skipping:
            self.out.append(f"&{name};")

    def handle_charref(self, name):
        if not self.skipping:
            self.out.append(f"&#{name};")

    def _skip(self, tag):
        self.skipping, self.depth = tag, 0

    def _loading(self) -> str:
        loading = "eager" if self.eager_next else "lazy"
        self.eager_next = False
        return loading

    def _figure(self, image_id, size) -> str:
        image = self.images.get(image_id)
        if image is None:
            return ""
        if self.absolute:
            return self._plain_figure(image)
        return render_to_string(
            "articles/includes/_body_figure.html",
            {"image": image, "size": size, "slot": f"figure-{size}", "loading": self._loading()},
        )

    def _gallery(self, ids) -> str:
        images = [self.images[image_id] for image_id in ids if image_id in self.images]
        if not images:
            return ""
        if self.absolute:
            return "".join(self._plain_figure(image) for image in images)
        return render_to_string(
            "articles/includes/_body_gallery.html",
            {"images": images, "loading": self._loading()},
        )

    def _plain_figure(self, image) -> str:
        url = rendition_url(image, "full", 1024)
        if not url:
            return ""
        # Feeds are XML: text stored by any route other than the image form (a script, an
        # import) must not carry a control character into them.
        caption = without_control_characters(
            " ".join(part for part in (image.caption, image.credit) if part)
        )
        alt_text = without_control_characters(image.alt_text)
        return (
            f'<figure><img src="{escape(absolute_url(url))}" alt="{escape(alt_text)}">'
            + (f"<figcaption>{escape(caption)}</figcaption>" if caption else "")
            + "</figure>"
        )

    def _embed(self, url) -> str:
        if not url:
            return ""
        embed = self.embeds.get(url)
        if self.absolute and embed is not None and embed.is_playable():
            # Feed readers run no script: the link, titled.
            title = embed.title or url
            return f'<p class="embed-link"><a href="{escape(url)}">{escape(title)}</a></p>'
        return render_to_string("embeds/_embed.html", embed_placeholder(embed, url))

    def _footnote_reference(self, text) -> str:
        text = " ".join(text.split())[:MAX_FOOTNOTE]
        if not text:
            return ""
        self.notes.append(text)
        number = len(self.notes)
        label = escape(gettext("Note %(number)s") % {"number": number})
        if self.absolute:
            return f"<sup>{number}</sup>"
        return (
            f'<sup class="footnote-ref"><a href="#fn-{number}" id="fnref-{number}" '
            f'aria-label="{label}">{number}</a></sup>'
        )

    def footnotes(self) -> str:
        if not self.notes:
            return ""
        items = []
        for number, text in enumerate(self.notes, start=1):
            note = urlize(escape(text), nofollow=True)
            if self.absolute:
                items.append(f"<li>{note}</li>")
            else:
                back = escape(gettext("Back to the text"))
                items.append(
                    f'<li id="fn-{number}">{note} <a href="#fnref-{number}" '
                    f'class="footnote-back" aria-label="{back}">↩</a></li>'
                )
        heading = escape(gettext("Notes"))
        return (
            f'<section class="footnotes" aria-label="{heading}"><h2>{heading}</h2>'
            f"<ol>{''.join(items)}</ol></section>"
        )


@dataclass
class Media:
    """The images (by id) and embeds (by URL) that some bodies refer to."""

    images: dict[int, Image] = field(default_factory=dict)
    embeds: dict[str, Embed] = field(default_factory=dict)


def load_media(bodies: Iterable[str]) -> Media:
    """Fetch the media of all *bodies*: one query for images, one for embeds, at most."""
    wanted_images, wanted_embeds = set(), set()
    for html in bodies:
        found = references(html)
        wanted_images.update(found.image_ids)
        wanted_embeds.update(found.embed_urls)
    media = Media()
    if wanted_images:
        # An image without alt text is never shown (Image.is_usable(), images.rendering).
        media.images = {
            image.pk: image
            for image in Image.objects.filter(pk__in=wanted_images)
            if image.is_usable()
        }
    if wanted_embeds:
        media.embeds = {embed.url: embed for embed in Embed.objects.filter(url__in=wanted_embeds)}
    return media


def render(article, *, absolute: bool = False, media: Media | None = None) -> SafeString:
    """Return the body of *article* as readers get it (see the module docstring).

    Two queries at most (images, embeds) whatever the number of figures, none when the body
    refers to no media, and none with *media* loaded beforehand for a list (``load_media``).
    """
    html = article.body or ""
    if not references(html).any:
        return mark_safe(html)  # noqa: S308 - sanitised on save (articles.sanitizer)
    if media is None:
        media = load_media([html])
    images = {pk: image.in_language(article.language) for pk, image in media.images.items()}
    renderer = _Renderer(
        images, media.embeds, absolute=absolute, eager_first=not article.lead_image_id
    )
    renderer.feed(html)
    renderer.close()
    return mark_safe("".join(renderer.out) + renderer.footnotes())  # noqa: S308
