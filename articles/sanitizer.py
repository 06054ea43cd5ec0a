"""Allowlist sanitising of story bodies.

Editors write rich text; readers' browsers must never receive a script, an event handler or a
``javascript:`` URL from it, whoever typed it and however it reached the database (admin,
import, shell). nh3 (the Rust ``ammonia`` library) parses the HTML like a browser does, so
malformed markup cannot smuggle anything past the allowlist.

Media are references the renderer expands (articles.body): ``data-image``, ``data-gallery``,
``data-size`` and ``data-embed`` on ``<figure>``, ``data-footnote`` on ``<span>``, each kept
only with a value of its expected form. No ``id`` is kept from anyone: the footnote anchors
readers follow are made by the renderer, always in its own ``fn-N`` form.
"""

import nh3

from articles.references import (
    FIGURE_SIZES,
    ID_LIST,
    IMAGE_REFERENCE,
    MAX_EMBED_URL,
    MAX_FOOTNOTE,
    MAX_GALLERY,
    image_ids,
)

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "a", "ul", "ol", "li", "blockquote", "figure", "figcaption", "hr", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "figure": {"data-image", "data-gallery", "data-size", "data-embed"},
    "span": {"data-footnote"},
}
# A pull quote is a blockquote set large, apart from the text (static/css/site.css).
ALLOWED_CLASSES = {"blockquote": {"pull-quote"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def _keep_media_attribute(element: str, attribute: str, value: str) -> str | None:
    """Keep a media reference only in its expected form (nh3 ``attribute_filter``)."""
    if element == "figure":
        value = value.strip()
        if attribute == "data-image":
            return value if IMAGE_REFERENCE.fullmatch(value) else None
        if attribute == "data-gallery":
            # The story form refuses a longer gallery with a message (ArticleAdminForm).
            ids = image_ids(value)[:MAX_GALLERY] if ID_LIST.fullmatch(value) else []
            return " ".join(str(image_id) for image_id in ids) or None
        if attribute == "data-size":
            return value if value in FIGURE_SIZES else None
        if attribute == "data-embed":
            plain = value.startswith("https://") or value.startswith("http://")
            return value if plain and len(value) <= MAX_EMBED_URL and " " not in value else None
    if element == "span" and attribute == "data-footnote":
        return value[:MAX_FOOTNOTE]
    return value


def sanitize_html(html: str) -> str:
    """Return *html* with everything outside the allowlist removed."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_media_attribute,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
