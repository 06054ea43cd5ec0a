"""The page form of the admin: the stories' rich-text editor, with fewer tools."""

from functools import partial

from django import forms
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from articles.sanitizer import sanitize_html
from pages.models import Page
from serving.text import without_control_characters

# Text, headings, lists, quotes and links: everything here produces only HTML that
# articles.sanitizer keeps. No pictures or embeds: a page has none.
PAGE_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False},
    "History": True,
}


def clean_page_body(html: str) -> str:
    """Return *html* sanitised, and empty when it holds no text (the editor's blank <p>)."""
    cleaned = sanitize_html(html)
    return cleaned if strip_tags(cleaned).strip() else ""


class PageAdminForm(forms.ModelForm):
    body = ProseEditorFormField(
        label=_("Body"),
        required=False,
        config={"extensions": PAGE_EDITOR_EXTENSIONS},
        widget=partial(AdminProseEditorWidget, preset="configurable"),
        sanitize=clean_page_body,
    )

    class Meta:
        model = Page
        fields = ("title", "slug", "body", "in_footer", "position")

    def clean_title(self):
        return without_control_characters(self.cleaned_data["title"]).strip()
