"""Read reader pages as a crawler does: their links, hreflang alternates, language switcher
and the text a reader sees, with the standard library's HTML parser."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urlsplit

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
# Attributes whose words a reader sees or hears (screen readers read labels and alt text).
SPOKEN_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")
HIDDEN_TEXT = {"script", "style", "template"}


@dataclass
class Text:
    """A piece of visible text, with the classes and ``lang`` of its ancestors."""

    text: str
    classes: frozenset[str]
    languages: tuple[str, ...]
    where: str


@dataclass
class Page:
    language: str = ""
    alternates: dict[str, str] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)
    switcher: dict[str, str] = field(default_factory=dict)
    texts: list[Text] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[tuple[str, frozenset[str], str | None]] = []

    def _context(self) -> tuple[frozenset[str], tuple[str, ...], str]:
        classes = frozenset(name for _tag, names, _lang in self.stack for name in names)
        languages = tuple(lang for _tag, _names, lang in self.stack if lang)
        where = " > ".join(
            tag + "".join(f".{name}" for name in sorted(names)) for tag, names, _ in self.stack
        )
        return classes, languages, where

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.page.language = attrs.get("lang", "")
        if tag == "link" and attrs.get("rel") == "alternate" and attrs.get("hreflang"):
            self.page.alternates[attrs["hreflang"]] = attrs.get("href", "")
        classes = frozenset((attrs.get("class") or "").split())
        if tag not in VOID:
            self.stack.append((tag, classes, attrs.get("lang")))
        if tag == "a" and attrs.get("href"):
            self.page.links.append(attrs["href"])
            if "language-switcher" in self._context()[0] and attrs.get("hreflang"):
                self.page.switcher[attrs["hreflang"]] = attrs["href"]
        in_body = any(open_tag == "body" for open_tag, _c, _l in self.stack)
        if in_body or tag == "body":
            context = self._context()
            for name in SPOKEN_ATTRIBUTES:
                if attrs.get(name):
                    self.page.texts.append(
                        Text(attrs[name], classes | context[0], context[1], f"{context[2]}@{name}")
                    )
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.page.texts.append(Text(attrs["value"], *context))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not data.strip() or any(tag in HIDDEN_TEXT for tag, _c, _l in self.stack):
            return
        if not any(tag in ("body", "title") for tag, _c, _l in self.stack):
            return
        self.page.texts.append(Text(" ".join(data.split()), *self._context()))


def read(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page


def site_path(href: str, origin: str) -> str | None:
    """Return *href* as a path on this site (fragment dropped, percent-escapes decoded: tag
    addresses keep their Cyrillic), or None for another site's."""
    href = unquote(urldefrag(href)[0])
    if href.startswith(origin):
        href = href[len(origin) :] or "/"
    if not href.startswith("/") or href.startswith("//"):
        return None
    return href


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
