"""The story form of the editors' admin.

It carries the newsroom's rules that must hold whatever the browser sends: only editors
publish, a picture is used only once it has its alt text, every image the body shows is in
the library, and the body keeps only the HTML our sanitiser allows. The rich-text editor
(django-prose-editor) is configured with exactly the extensions whose HTML
``articles.sanitizer`` keeps, so nothing an editor formats is lost on save.
"""

from functools import partial

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminFileWidget, AdminSplitDateTime
from django.core.files.uploadedfile import UploadedFile
from django.db.models import DateTimeField, Value
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from articles.concurrency import VersionCheckFormMixin
from articles.models import Article, Author, Correction, ScheduledEdit, public_at
from articles.references import MAX_EMBEDS, MAX_GALLERY, MAX_MEDIA, references
from articles.sanitizer import sanitize_html
from articles.translations import language_label
from images.models import Image
from images.pipeline import ACCEPTED_HELP, ACCEPTED_TYPES, validate_image
from serving.text import without_control_characters
from serving.translated_texts import TranslatedTextsForm, with_other_languages

# Every extension here must only produce tags and attributes in articles.sanitizer's
# allowlist (tests/articles/test_admin.py checks it). Pictures come from the image library
# as references ("NewsroomMedia", static/js/admin/media-editor.js); no colours or
# alignment: the site's stylesheet decides how stories look.
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
    # Our own: figures, galleries and embeds from the library, footnotes, pull quotes.
    "NewsroomMedia": True,
    "Footnote": True,
    "PullQuote": True,
}

PLAIN_TEXT_FIELDS = (
    "title",
    "teaser",
    "correction",
    "body",
)

PUBLISH_REFUSED = _(
    "You cannot publish stories. Save it as a draft or send it to review, and an editor "
    "will publish it."
)


def clean_body(html: str) -> str:
    """Return *html* sanitised, and empty when it holds neither text nor media (the editor's
    blank <p>)."""
    cleaned = sanitize_html(html)
    return cleaned if strip_tags(cleaned).strip() or references(cleaned).any else ""


def state_values(*, status, publish_at, unpublish_at) -> dict:
    """Return a story's publishing state for ``Q.check()`` (a missing time must be typed)."""
    return {
        "status": status,
        "publish_at": publish_at,
        "unpublish_at": Value(unpublish_at, output_field=DateTimeField()),
    }


class ArticleAdminForm(VersionCheckFormMixin, forms.ModelForm):
    """The story form; the mixin refuses a save over changes made since it was opened."""

    body = ProseEditorFormField(
        label=_("Body"),
        required=False,
        config={"extensions": BODY_EDITOR_EXTENSIONS},
        widget=partial(AdminProseEditorWidget, preset="configurable"),
        sanitize=clean_body,
    )

    # Shown only on the History page's revert form (ArticleAdmin.get_fieldsets).
    confirm_status_change = forms.BooleanField(
        label=_("Yes, change whether the story is public"),
        required=False,
        help_text=_(
            "Needed only when the status or time you choose would put the story on the site "
            "or take it off."
        ),
    )

    # Not a story field: each correction is a record of its own (articles.corrections),
    # added on save, or when a scheduled edit carrying it is applied.
    correction = forms.CharField(
        label=_("Add a correction"),
        required=False,
        max_length=Correction._meta.get_field("text").max_length,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_(
            "What was wrong and what the story says now. Readers see it at the top of the "
            "story with its time, after the earlier ones; the story shows “Updated” then "
            "unless you set that time yourself."
        ),
    )

    # On a live story: save the text changes as a scheduled edit instead of now.
    schedule_edit_at = forms.SplitDateTimeField(
        label=_("Apply my text changes at"),
        required=False,
        widget=AdminSplitDateTime,
        help_text=_(
            "Only for a story that is already live: leave empty to change it now. With a time, "
            "readers keep seeing the current version until then, and your changes to the "
            "title, teaser, body, lead image, a new correction and “updated at” replace it at "
            "that time by themselves."
        ),
    )

    # Shown on a translation whose original changed since (the translation panel): ticked,
    # the save records that the translation says what the original says now.
    mark_up_to_date = forms.BooleanField(
        label=_("This translation is up to date with its original"),
        required=False,
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
            "status",
            "publish_at",
            "unpublish_at",
            "authors",
            "language",
            "rubric",
            "region",
            "tags",
            "featured",
            "allow_reviews",
            "revised_at",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "language" in self.fields:
            # Left out of a post (a script, an older form), the story keeps its language.
            self.fields["language"].required = False
        status = self.fields.get("status")
        if status is not None and not self.can_publish:
            # Show authors only what they may choose; the check itself is clean_status(),
            # because the field still accepts every status from a crafted POST.
            status.widget.choices = [
                choice for choice in status.choices if choice[0] != Article.Status.PUBLISHED
            ]
        version = getattr(self.instance, "_history", None)
        # Reverting to an old version (admin History) brings back its words, image, authors
        # and tags, but not its status: the story stays as public (or not) as it is now
        # unless the editor chooses otherwise and confirms it (clean()).
        self.live_state = None
        if version is not None:
            self.live_state = (
                Article.objects.filter(pk=self.instance.pk)
                .values("status", "publish_at", "unpublish_at")
                .first()
            )
        if self.live_state is not None:
            for name in ("status", "publish_at", "unpublish_at"):
                if name in self.fields:
                    self.initial[name] = self.live_state[name]
        if version is not None and not self.is_bound:
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

    def clean_language(self):
        stored = self.instance.language or settings.LANGUAGE_CODE
        language = self.cleaned_data.get("language") or stored
        if self.instance.pk is None or language == stored:
            return language
        versions = Article.objects.filter(translation_key=self.instance.translation_key).exclude(
            pk=self.instance.pk
        )
        if self.instance.translation_source_id is not None or versions.exists():
            raise forms.ValidationError(
                _(
                    "This story has translations, so its language stays %(language)s. To "
                    "write it in another language, use “Translate into …” instead."
                ),
                code="language_locked",
                params={"language": language_label(stored)},
            )
        return language

    def _check_taxonomy_language(self, cleaned_data):
        """Refuse a region or rubric of another language than the story's."""
        language = cleaned_data.get("language") or self.instance.language
        for name, kind in (("region", _("region")), ("rubric", _("rubric"))):
            row = cleaned_data.get(name)
            if row is None or not language or row.language == language:
                continue
            version = row.translation_in(language)
            if version is not None:
                message = _(
                    "“%(name)s” is a %(kind)s in %(its)s, and this story is in %(language)s: "
                    "choose its version “%(version)s”."
                )
            else:
                message = _(
                    "“%(name)s” is a %(kind)s in %(its)s, and this story is in %(language)s: "
                    "choose one in %(language)s, or add a version of it in %(language)s first."
                )
            self.add_error(
                name,
                forms.ValidationError(
                    message,
                    code="other_language",
                    params={
                        "name": row.name,
                        "kind": kind,
                        "its": language_label(row.language),
                        "language": language_label(language),
                        "version": getattr(version, "name", ""),
                    },
                ),
            )

    def clean_lead_image(self):
        image = self.cleaned_data.get("lead_image")
        if image is not None:
            image.check_usable()
        return image

    def clean_body(self):
        html = self.cleaned_data.get("body") or ""
        # The sanitiser keeps the first MAX_GALLERY pictures of a gallery: say so instead.
        if references(self.data.get("body") or "").largest_gallery > MAX_GALLERY:
            raise forms.ValidationError(
                _("A gallery holds at most %(count)s pictures: split it in two."),
                code="gallery_too_long",
                params={"count": MAX_GALLERY},
            )
        found = references(html)
        if found.media > MAX_MEDIA:
            raise forms.ValidationError(
                _("A story may show at most %(count)s figures, galleries and embeds."),
                code="too_many_media",
                params={"count": MAX_MEDIA},
            )
        if len(found.embed_urls) > MAX_EMBEDS:
            raise forms.ValidationError(
                _("A story may embed at most %(count)s videos, charts or posts."),
                code="too_many_embeds",
                params={"count": MAX_EMBEDS},
            )
        if found.image_ids:
            images = Image.objects.in_bulk(found.image_ids)
            problems = []
            for image_id in found.image_ids:
                image = images.get(image_id)
                if image is None:
                    problems.append(
                        forms.ValidationError(
                            _("The text shows image %(id)s, which is not in the image library."),
                            code="unknown_image",
                            params={"id": image_id},
                        )
                    )
                    continue
                try:
                    image.check_usable()
                except forms.ValidationError as error:
                    problems.append(error)
            if problems:
                raise forms.ValidationError(problems)
        return html

    def clean(self):
        cleaned_data = super().clean()
        for name in PLAIN_TEXT_FIELDS:
            if isinstance(cleaned_data.get(name), str):
                cleaned_data[name] = without_control_characters(cleaned_data[name])
        if cleaned_data.get("tags"):
            tags = (without_control_characters(tag).strip() for tag in cleaned_data["tags"])
            cleaned_data["tags"] = [tag for tag in tags if tag]
        self._check_taxonomy_language(cleaned_data)
        publish_at, unpublish_at = cleaned_data.get("publish_at"), cleaned_data.get("unpublish_at")
        if publish_at and unpublish_at and unpublish_at <= publish_at:
            self.add_error(
                "unpublish_at",
                forms.ValidationError(
                    _("The story must come down after it goes up: choose a later time."),
                    code="unpublish_before_publish",
                ),
            )
        elif (
            unpublish_at
            and unpublish_at <= timezone.now()
            and cleaned_data.get("status") == Article.Status.PUBLISHED
            and "status" in self.changed_data
        ):
            # Published with a time to come down that has passed, it would be expired at once:
            # "published" in the message, on no page.
            self.add_error(
                "unpublish_at",
                forms.ValidationError(
                    _(
                        "This time has passed, so the story would not appear: choose a later "
                        "time, or none."
                    ),
                    code="unpublish_passed",
                ),
            )
        if cleaned_data.get("schedule_edit_at"):
            self._check_scheduled_edit(cleaned_data)
        if self.live_state is not None:
            self._confirm_revert_status(cleaned_data)
        return cleaned_data

    def scheduled_changes(self) -> list[str]:
        """Return the fields this form changes that a scheduled edit would carry."""
        return [name for name in ScheduledEdit.SCHEDULABLE_FIELDS if name in self.changed_data]

    def _check_scheduled_edit(self, cleaned_data):
        if self.instance.pk is None or not self.instance.is_published():
            message = _(
                "Only a story that is live can get a scheduled edit; this one is not on the "
                "site yet, so your changes can simply be saved. Clear the time to save them."
            )
            self.add_error("schedule_edit_at", forms.ValidationError(message, code="not_live"))
            return
        if cleaned_data["schedule_edit_at"] <= timezone.now():
            message = _("Choose a time in the future, or clear it to save your changes now.")
            self.add_error("schedule_edit_at", forms.ValidationError(message, code="past"))
            return
        story_fields = {field.name for field in Article._meta.get_fields()}
        others = [
            str(self.fields[name].label or name)
            for name in self.changed_data
            if name in story_fields and name not in ScheduledEdit.SCHEDULABLE_FIELDS
        ]
        if others:
            message = _(
                "A scheduled edit changes the text only. These changes would apply at once: "
                "%(fields)s. Save them first without a time, then schedule the text."
            ) % {"fields": ", ".join(others)}
            self.add_error("schedule_edit_at", forms.ValidationError(message, code="mixed"))
        elif not self.scheduled_changes():
            message = _("Change the title, teaser, body or lead image, or add a correction first.")
            self.add_error("schedule_edit_at", forms.ValidationError(message, code="nothing"))

    def _confirm_revert_status(self, cleaned_data):
        status, publish_at = cleaned_data.get("status"), cleaned_data.get("publish_at")
        if status is None or publish_at is None or cleaned_data.get("confirm_status_change"):
            return
        rule = public_at(timezone.now())
        public_now = rule.check(state_values(**self.live_state))
        public_after = rule.check(
            state_values(
                status=status,
                publish_at=publish_at,
                unpublish_at=cleaned_data.get("unpublish_at"),
            )
        )
        if public_now == public_after:
            return
        current = Article.Status(self.live_state["status"]).label
        if public_now:
            message = _(
                "This story is public now: with the status and time chosen here, the revert "
                "would take it off the site. Tick the box to confirm, or keep the status "
                "“%(current)s” and its time."
            )
        else:
            message = _(
                "This story is not public now: with the status and time chosen here, the "
                "revert would put it on the site. Tick the box to confirm, or keep the status "
                "“%(current)s” and its time."
            )
        error = forms.ValidationError(
            message, code="confirm_status_change", params={"current": current}
        )
        self.add_error("confirm_status_change", error)


class CorrectionEditForm(forms.Form):
    """The text of an earlier correction, changed by an editor (a typo in it)."""

    text = forms.CharField(
        label=_("Correction"),
        max_length=Correction._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Its time stays as it is; readers see the new text at once."),
    )

    def clean_text(self):
        return without_control_characters(self.cleaned_data["text"])


@with_other_languages
class AuthorAdminForm(TranslatedTextsForm):
    """The author form: the photo goes through the same checks as a library image."""

    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=ACCEPTED_HELP,
        widget=AdminFileWidget(attrs={"accept": ACCEPTED_TYPES}),
    )

    class Meta:
        model = Author
        fields = ("name", "slug", "bio", "photo", "user")

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            validate_image(photo)
        return photo
