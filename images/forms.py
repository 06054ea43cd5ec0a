"""The image library's upload form: every file goes through images.pipeline's checks."""

import posixpath

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminFileWidget
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from images.models import Image
from images.pipeline import ACCEPTED_HELP, ACCEPTED_TYPES, validate_image
from serving.text import without_control_characters

# Shown on reader pages and in feeds, which cannot carry control characters.
TEXT_FIELDS = ("title", "alt_text", "caption", "credit", "source")
# What a page in another language shows in its own words (Image.texts).
TRANSLATED_FIELDS = {"alt_text": 250, "caption": 300}


def other_languages() -> list[tuple[str, str]]:
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def text_field_names() -> list[str]:
    """Return the form's fields for the other languages' alt texts and captions."""
    return [f"{field}_{code}" for code, _name in other_languages() for field in TRANSLATED_FIELDS]


def with_other_languages(form_class):
    """Give *form_class* an alt text and a caption field for each of the site's other
    languages, declared as its own so that the admin's fieldsets can name them."""
    labels = {"alt_text": _("Alt text ({language})"), "caption": _("Caption ({language})")}
    for code, name in other_languages():
        for field, max_length in TRANSLATED_FIELDS.items():
            form_field = forms.CharField(
                label=format_lazy(labels[field], language=name),
                max_length=max_length,
                required=False,
            )
            form_field.widget.attrs["lang"] = code
            form_class.declared_fields[f"{field}_{code}"] = form_field
            form_class.base_fields[f"{field}_{code}"] = form_field
    return form_class


@with_other_languages
class ImageAdminForm(forms.ModelForm):
    # A plain file field: images.pipeline checks the upload and explains any refusal (size,
    # pixel count, disguised files), which Django's ImageField would not.
    file = forms.FileField(
        label=_("File"),
        help_text=ACCEPTED_HELP,
        widget=AdminFileWidget(attrs={"accept": ACCEPTED_TYPES}),
    )

    class Meta:
        model = Image
        fields = (
            "file",
            "title",
            "alt_text",
            "caption",
            "credit",
            "source",
            "focal_x",
            "focal_y",
            "tags",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin's read-only view of an image (an author looking at another's upload)
        # builds the form without fields.
        if "title" in self.fields:
            # Named after the file when left empty: uploading many pictures stays quick.
            self.fields["title"].required = False
        for name in ("focal_x", "focal_y"):
            if name in self.fields:
                self.fields[name].widget.attrs.update({"step": "0.01", "min": "0", "max": "1"})
        for code, _name in other_languages():
            for field in TRANSLATED_FIELDS:
                if f"{field}_{code}" in self.fields:
                    words = self.instance.texts.get(code) or {}
                    self.initial.setdefault(f"{field}_{code}", words.get(field, ""))

    def changed_model_fields(self) -> list[str]:
        """Return the model fields the changed form fields are stored in."""
        translated = set(text_field_names())
        return sorted({"texts" if name in translated else name for name in self.changed_data})

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            validate_image(upload)
        return upload

    def clean(self):
        cleaned_data = super().clean()
        for name in (*TEXT_FIELDS, *text_field_names()):
            if isinstance(cleaned_data.get(name), str):
                cleaned_data[name] = without_control_characters(cleaned_data[name])
        upload = cleaned_data.get("file")
        if not (cleaned_data.get("title") or "").strip() and isinstance(upload, UploadedFile):
            stem = posixpath.splitext(posixpath.basename(upload.name.replace("\\", "/")))[0]
            cleaned_data["title"] = " ".join(stem.replace("_", " ").replace("-", " ").split())[
                :255
            ] or _("Untitled image")
        in_use = self.instance.pk is not None and self.instance.is_in_use()
        if (
            "alt_text" in self.fields
            and in_use
            and not (cleaned_data.get("alt_text") or "").strip()
        ):
            self.add_error(
                "alt_text",
                forms.ValidationError(
                    _(
                        "Stories show this image: readers who cannot see it need its alt "
                        "text, so it cannot be left empty."
                    ),
                    code="alt_text_in_use",
                ),
            )
        if not (cleaned_data.get("title") or "").strip():
            self.add_error(
                "title", forms.ValidationError(_("Give the image a title."), code="required")
            )
        return cleaned_data

    def _post_clean(self):
        super()._post_clean()
        texts = dict(self.instance.texts)
        for code, _name in other_languages():
            names = [f"{field}_{code}" for field in TRANSLATED_FIELDS]
            if not all(name in self.cleaned_data for name in names):
                continue
            words = {
                field: self.cleaned_data[f"{field}_{code}"].strip() for field in TRANSLATED_FIELDS
            }
            if any(words.values()):
                texts[code] = words
            else:
                texts.pop(code, None)
        self.instance.texts = texts
