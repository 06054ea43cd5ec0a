"""The page form of the admin: the stories' rich-text editor, with fewer tools."""

import uuid
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


class TranslationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, page):
        return f"{page.title} ({page.get_language_display()})"


class PageAdminForm(forms.ModelForm):
    translation_of = TranslationChoiceField(
        label=_("Translation of"),
        queryset=Page.objects.none(),
        required=False,
        help_text=_(
            "The page in another language that this one translates (or is translated as): "
            "each then links the other, and the language switcher leads from one to the other."
        ),
    )
    body = ProseEditorFormField(
        label=_("Body"),
        required=False,
        config={"extensions": PAGE_EDITOR_EXTENSIONS},
        widget=partial(AdminProseEditorWidget, preset="configurable"),
        sanitize=clean_page_body,
    )

    class Meta:
        model = Page
        fields = ("title", "slug", "language", "body", "in_footer", "position")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        others = Page.objects.order_by("language", "position", "title")
        if self.instance.pk is not None:
            others = others.exclude(pk=self.instance.pk)
            self.fields["translation_of"].initial = self.instance.translations().first()
        self.fields["translation_of"].queryset = others

    def clean_title(self):
        return without_control_characters(self.cleaned_data["title"]).strip()

    def clean(self):
        cleaned = super().clean()
        other, language = cleaned.get("translation_of"), cleaned.get("language")
        if other is None or language is None:
            return cleaned
        if other.language == language:
            self.add_error(
                "translation_of", _("Choose a page in another language than this one's.")
            )
            return cleaned
        taken = Page.objects.filter(translation_key=other.translation_key, language=language)
        if self.instance.pk is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            self.add_error(
                "translation_of",
                _("That page already has a translation in this language: “%(title)s”.")
                % {"title": taken.first().title},
            )
        return cleaned

    def save(self, commit=True):
        other = self.cleaned_data.get("translation_of")
        if other is not None:
            self.instance.translation_key = other.translation_key
        elif self.instance.pk is not None and "translation_of" in self.changed_data:
            # No longer a translation of the page it was linked to: a group of its own.
            self.instance.translation_key = uuid.uuid4()
        return super().save(commit)
