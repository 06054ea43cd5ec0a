"""A row's words in the site's other languages, for rows shared by every language.

A picture or an author is one row whatever the language of the page that shows it; only a few
of its words differ (a picture's alt text and caption, an author's name as spelt in Cyrillic,
their bio). Those words are kept in one JSON column, ``texts``, by language code:
``{"ru": {"alt_text": "…", "caption": "…"}}``, so that showing them runs no extra query; the
ordinary columns hold the default language's. ``in_language()`` gives the row as a page in
a language shows it, falling back to the default language's words where a language has none.

In the admin, :func:`with_other_languages` gives a model form a field for each translated
column in each other language ("Short bio (Русский)"), read from and written to ``texts``.
"""

import copy

from django import forms
from django.conf import settings
from django.db import models
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from serving.text import without_control_characters


def other_languages() -> list[tuple[str, str]]:
    """Return the site's languages but the default, as (code, name in itself)."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class TranslatedTexts(models.Model):
    """An abstract model whose ``TRANSLATED_FIELDS`` have words in the other languages."""

    TRANSLATED_FIELDS: tuple[str, ...] = ()

    texts = models.JSONField(_("in other languages"), default=dict, blank=True, editable=False)

    class Meta:
        abstract = True

    def in_language(self, language: str):
        """Return this row as a page in *language* shows it: with that language's words
        where it has them, else its own. For showing, never saving."""
        words = self.texts.get(language) or {}
        if not any(words.values()):
            return self
        shown = copy.copy(self)
        for name in self.TRANSLATED_FIELDS:
            setattr(shown, name, words.get(name) or getattr(self, name))
        return shown


def text_field_names(model) -> list[str]:
    """Return the form field names of *model*'s words in the other languages."""
    return [
        f"{name}_{code}"
        for code, _language in other_languages()
        for name in model.TRANSLATED_FIELDS
    ]


def with_other_languages(form_class):
    """Give the model form *form_class* (a :class:`TranslatedTextsForm`) a field for each of
    its model's translated columns in each other language, declared as its own so that the
    admin's fieldsets can name them. Each is its column's form field, optional, marked with
    its language."""
    model = form_class._meta.model
    for code, language in other_languages():
        for name in model.TRANSLATED_FIELDS:
            column = model._meta.get_field(name)
            form_field = column.formfield(required=False, help_text="")
            form_field.label = format_lazy("{} ({})", capfirst(column.verbose_name), language)
            form_field.widget.attrs["lang"] = code
            form_class.declared_fields[f"{name}_{code}"] = form_field
            form_class.base_fields[f"{name}_{code}"] = form_field
    return form_class


class TranslatedTextsForm(forms.ModelForm):
    """A model form that reads and writes the other languages' words (see the module)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, _language in other_languages():
            words = self.instance.texts.get(code) or {}
            for name in self._meta.model.TRANSLATED_FIELDS:
                if f"{name}_{code}" in self.fields:
                    self.initial.setdefault(f"{name}_{code}", words.get(name, ""))

    def clean(self):
        cleaned_data = super().clean()
        # Shown on reader pages and in feeds, which cannot carry control characters.
        for name in text_field_names(self._meta.model):
            if isinstance(cleaned_data.get(name), str):
                cleaned_data[name] = without_control_characters(cleaned_data[name]).strip()
        return cleaned_data

    def save(self, commit=True):
        texts = dict(self.instance.texts)
        for code, _language in other_languages():
            names = {name: f"{name}_{code}" for name in self._meta.model.TRANSLATED_FIELDS}
            if not all(field in self.cleaned_data for field in names.values()):
                continue  # not on this form (a read-only view)
            words = {name: self.cleaned_data[field] for name, field in names.items()}
            if any(words.values()):
                texts[code] = words
            else:
                texts.pop(code, None)
        self.instance.texts = texts
        return super().save(commit)

    def changed_model_fields(self) -> list[str]:
        """Return the model columns the changed form fields are stored in."""
        translated = set(text_field_names(self._meta.model))
        return sorted({"texts" if name in translated else name for name in self.changed_data})
