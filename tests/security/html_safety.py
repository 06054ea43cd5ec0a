"""Find live markup in a reader page that our templates never produce.

The newsroom's reader pages carry no script of their own except JSON-LD data, no event
handler attributes, no frames, no inline styles elements and no ``javascript:`` links. So any
of these in a page rendered from hostile input means the input came back unescaped.
"""

import json
import re
from html.parser import HTMLParser

FORBIDDEN_TAGS = {"iframe", "frame", "object", "embed", "base", "svg", "math", "style", "form"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "srcset", "poster"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
# The forms our pages do have: site search, the newsletter sign-up (footer and list pages) and
# "Leave a review" (/articles/<slug>/review/).
ALLOWED_FORM_ACTIONS = ("/search/", "/newsletter/subscribe/")
REVIEW_FORM_ACTION = re.compile(r"/articles/[-\w]+/review/")


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._json_script = False
        self._json = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if name in URL_ATTRIBUTES and value:
                cleaned = "".join(value.split()).lower()
                if cleaned.startswith(BAD_SCHEMES):
                    self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "meta" and attributes.get("http-equiv", "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        if tag == "form":
            action = attributes.get("action") or ""
            if not (
                action.startswith(ALLOWED_FORM_ACTIONS) or REVIEW_FORM_ACTION.fullmatch(action)
            ):
                self.problems.append(f"<form action={attributes.get('action')!r}>")
        elif tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "script":
            if attributes.get("type") == "application/ld+json" and "src" not in attributes:
                self._json_script = True
                self._json = ""
            elif not (attributes.get("src") or "").startswith("/static/"):
                self.problems.append(f"<script {attributes}> element")

    def handle_data(self, data):
        if self._json_script:
            self._json += data

    def handle_endtag(self, tag):
        if tag == "script" and self._json_script:
            self._json_script = False
            try:
                json.loads(self._json)
            except ValueError:
                self.problems.append(f"JSON-LD broken open: {self._json[:80]!r}")


def live_markup(html: str) -> list[str]:
    """Return the dangerous constructs found in *html* (an empty list for a safe page)."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.problems
