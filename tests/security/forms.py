"""Fill in a form the way a browser would: read it from the page, change fields, send it.

Admin forms have many fields (split date/time, many-to-many, hidden version counters), and
they grow. Reading the rendered form keeps these tests true to what a person submits.
"""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.fields: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = self.form_id is None or attrs.get("id") == self.form_id
            return
        if not self.in_form or ("name" not in attrs and tag != "option"):
            return
        name = attrs.get("name")
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.setdefault(name, []).append(attrs.get("value", "on"))
                return
            self.fields.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "textarea":
            self._textarea = name
            self.fields.setdefault(name, []).append("")
        elif tag == "select":
            self._select = name
            self.fields.setdefault(name, [])
        elif tag == "option" and self._select is not None:
            value = attrs.get("value")
            if "selected" in attrs and value is not None:
                self.fields[self._select].append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            self.fields[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the newline that opens a textarea's content; so do we.
            value = self.fields[self._textarea][-1]
            if value.startswith("\n"):
                self.fields[self._textarea][-1] = value[1:]
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_data(html: str, form_id: str | None = None, **changes) -> dict[str, list[str]]:
    """Return the fields of the form *form_id* in *html* as a browser would send them.

    Keyword arguments replace fields (a list for several values, None to leave one out).
    """
    reader = _FormReader(form_id)
    reader.feed(html)
    fields = reader.fields
    for name, value in changes.items():
        if value is None:
            fields.pop(name, None)
        else:
            fields[name] = value if isinstance(value, list) else [value]
    return fields
