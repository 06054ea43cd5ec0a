"""The story form of the editors' admin.

It carries the newsroom's rules that must hold whatever the browser sends: only editors
publish, a lead image needs its alt text, and the body keeps only the HTML our sanitiser
allows. The rich-text editor (django-prose-editor) is configured with exactly the
extensions whose HTML ``articles.sanitizer`` keeps, so nothing an editor formats is lost on
save.
"""

import re

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core.files.uploadedfile import UploadedFile
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from articles.concurrency import VersionCheckFormMixin
from articles.images import ACCEPTED_HELP, validate_lead_image
from articles.models import Article, Author
from articles.sanitizer import sanitize_html

# Every extension here must only produce tags and attributes in articles.sanitizer's
# allowlist (tests/articles/test_admin.py checks it). No images in the body: the lead image
# has its own field with renditions and alt text; no colours, alignment or classes: the
# site's stylesheet decides how stories look.
BODY_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    # h1 is the story's title; sections start at h2.
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False},
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
}

# C0 and C1 control characters other than tab and newline: invisible in a page, and XML (the
# feeds) cannot carry them at all, so a stray one pasted into a title would break the feeds.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
PLAIN_TEXT_FIELDS = (
    "title",
    "teaser",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    "correction_note",
    "body",
)

PUBLISH_REFUSED = _(
    "You cannot publish stories. Save it as a draft or send it to review, and an editor "
    "will publish it."
)
LEAD_IMAGE_TYPES = "image/jpeg,image/png,image/webp,image/gif"


def clean_body(html: str) -> str:
    """Return *html* sanitised, and empty when it holds no text (the editor's blank <p>)."""
    cleaned = sanitize_html(html)
    return cleaned if strip_tags(cleaned).strip() else ""


class ArticleAdminForm(VersionCheckFormMixin, forms.ModelForm):
    """The story form; the mixin refuses a save over changes made since it was opened."""

    body = ProseEditorFormField(
        label=_("Body"),
        required=False,
        config={"extensions": BODY_EDITOR_EXTENSIONS},
        widget=AdminProseEditorWidget,
        sanitize=clean_body,
    )
    # A plain file field: articles.images checks the upload and explains any refusal
    # (size, pixel count, disguised files), which Django's ImageField would not.
    lead_image = forms.FileField(
        label=_("Lead image"),
        required=False,
        help_text=ACCEPTED_HELP,
        widget=AdminFileWidget(attrs={"accept": LEAD_IMAGE_TYPES}),
    )

    # Set per request by ArticleAdmin.get_form(); the safe default refuses publishing.
    can_publish = False

    class Meta:
        model = Article
        fields = (
            "title",
            "slug",
            "teaser",
            "body",
            "lead_image",
            "lead_image_alt",
            "lead_image_caption",
            "lead_image_credit",
            "status",
            "publish_at",
            "authors",
            "rubric",
            "region",
            "tags",
            "featured",
            "allow_reviews",
            "correction_note",
            "revised_at",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        status = self.fields.get("status")
        if status is not None and not self.can_publish:
            # Show authors only what they may choose; the check itself is clean_status(),
            # because the field still accepts every status from a crafted POST.
            status.widget.choices = [
                choice for choice in status.choices if choice[0] != Article.Status.PUBLISHED
            ]
        version = getattr(self.instance, "_history", None)
        if version is not None and not self.is_bound:
            # Reverting to an old version (admin History): offer its authors and tags too.
            if "authors" in self.fields:
                self.initial["authors"] = list(
                    Author.objects.filter(pk__in=version.author_ids()).values_list("pk", flat=True)
                )
            if "tags" in self.fields:
                self.initial["tags"] = version.tags_snapshot

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status == Article.Status.PUBLISHED and not self.can_publish:
            raise forms.ValidationError(PUBLISH_REFUSED, code="publish_refused")
        return status

    def clean_lead_image(self):
        image = self.cleaned_data.get("lead_image")
        # Only a new upload is checked; the stored image (or False, "clear") passes as is.
        if isinstance(image, UploadedFile):
            validate_lead_image(image)
        return image

    def clean(self):
        cleaned_data = super().clean()
        for name in PLAIN_TEXT_FIELDS:
            if isinstance(cleaned_data.get(name), str):
                cleaned_data[name] = CONTROL_CHARACTERS.sub("", cleaned_data[name])
        if cleaned_data.get("tags"):
            tags = (CONTROL_CHARACTERS.sub("", tag).strip() for tag in cleaned_data["tags"])
            cleaned_data["tags"] = [tag for tag in tags if tag]
        # The kept image, a new upload, or False when "clear" is ticked.
        has_image = bool(cleaned_data.get("lead_image"))
        if has_image and not (cleaned_data.get("lead_image_alt") or "").strip():
            self.add_error(
                "lead_image_alt",
                forms.ValidationError(
                    _(
                        "Describe the lead image for readers who cannot see it: "
                        "alt text is required with an image."
                    ),
                    code="alt_required",
                ),
            )
        return cleaned_data
