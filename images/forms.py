"""The image library's upload form: every file goes through images.pipeline's checks."""

import posixpath

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from images.models import Image
from images.pipeline import ACCEPTED_HELP, ACCEPTED_TYPES, validate_image
from serving.text import without_control_characters
from serving.translated_texts import TranslatedTextsForm, with_other_languages

# Shown on reader pages and in feeds, which cannot carry control characters.
TEXT_FIELDS = ("title", "alt_text", "caption", "credit", "source")


@with_other_languages
class ImageAdminForm(TranslatedTextsForm):
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

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            validate_image(upload)
        return upload

    def clean(self):
        cleaned_data = super().clean()
        for name in TEXT_FIELDS:
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
