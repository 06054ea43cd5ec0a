"""The editors' admin: stories, regions, rubrics and author profiles.

Roles are the groups made by ``articles/migrations/0002_roles.py``:

- Authors see and change only their own stories (created by them or crediting their author
  profile: ``ArticleQuerySet.editable_by()``), never publish, and cannot change a story once
  it is published: from then on it is the editors' responsibility (authors still see it,
  read-only). Another author's story answers 404.
- Editors see and change every story, publish and unpublish (also in bulk), and manage the
  taxonomy and author profiles.

Every rule is checked on the server (permissions here, ``ArticleAdminForm.clean_status()``),
whatever the browser shows or sends.
"""

import copy
from datetime import datetime

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic
from simple_history.template_utils import HistoricalRecordContextHelper
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from articles import corrections, scheduled_edits, services, translations
from articles.admin_filters import AuthorFilter, State, StoryStateFilter, state_order, story_state
from articles.admin_translations import (
    StoryChangeList,
    TagLanguageFilter,
    TagTranslationForm,
    TranslatableTaxonomyAdminMixin,
    TranslationStateFilter,
    languages_to_translate_into,
    tag_language_cell,
    translation_context,
    versions_cell,
    with_out_of_date,
)
from articles.admin_widgets import SafeAutocompleteMixin
from articles.forms import ArticleAdminForm, AuthorAdminForm, CorrectionEditForm
from articles.models import (
    Article,
    Author,
    Correction,
    Redirect,
    Region,
    Rubric,
    ScheduledEdit,
    in_public_use,
)
from articles.pictures import process_author_photo
from articles.references import references
from articles.signals import stories_sent_to_review
from audit import log
from audit.admin import AuditedDeletionsMixin
from embeds.tasks import fetch_story_embeds
from images.admin import process_picture_or_warn
from images.rendering import rendition_url
from serving.dates import admin_datetime, time_zone_note
from serving.translated_texts import text_field_names

# Fields of the story form that are not the story's: the concurrency check's hidden fields,
# the revert form's confirmation, and a new correction (audited as a correction of its own).
FORM_ONLY_FIELDS = {"loaded_version", "loaded_history", "confirm_status_change", "correction"}
STATUS_FIELDS = ("status", "publish_at", "unpublish_at")


@admin.register(Region)
class RegionAdmin(TranslatableTaxonomyAdminMixin, AuditedDeletionsMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")


@admin.register(Rubric)
class RubricAdmin(TranslatableTaxonomyAdminMixin, AuditedDeletionsMixin, admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(AuditedDeletionsMixin, TaggitTagAdmin):
    """taggit's tag admin, with "Merge selected tags" for those who may change tags only.

    Merging retags every story that carries the tags, published ones too. taggit offers the
    action to anyone who can see the list (authors) and its merge page checks no permission
    at all (any staff user), so both are gated here.

    Each tag shows its language, and its form links it to its translations ("Translation
    of"; articles.admin_translations).
    """

    form = TagTranslationForm
    list_display = ("name", "slug", "tag_language")
    list_filter = (TagLanguageFilter,)
    list_select_related = ("language_info",)

    @admin.display(description=_("language"))
    def tag_language(self, obj):
        return tag_language_cell(obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        form.save_language(obj)

    def get_queryset(self, request):
        tags = super().get_queryset(request)
        if request.user.has_perm("articles.edit_any_article"):
            return tags
        # Authors see the tags of public stories and of their own stories: never one that
        # only another author's draft or an embargoed story carries.
        own = Article.objects.editable_by(request.user).values("pk")
        return tags.filter(
            Q(pk__in=in_public_use(Tag.objects.all(), "tags").values("pk"))
            | Q(pk__in=Tag.objects.filter(article__in=own).values("pk"))
        )

    @admin.action(description=_("Merge selected tags"), permissions=["change"])
    def render_tag_form(self, request, queryset):
        return super().render_tag_form(request, queryset)

    def merge_tags_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        selected = request.session.get("selected_tag_ids", "").split(",")
        existing = Tag.objects.filter(pk__in=[pk for pk in selected if pk.isdecimal()])
        selected = [str(pk) for pk in existing.values_list("pk", flat=True)]
        if not selected:
            # Opened without choosing tags (or they were deleted meanwhile): taggit would fail.
            self.message_user(request, _("Select the tags to merge first."), messages.WARNING)
            return redirect("admin:taggit_tag_changelist")
        request.session["selected_tag_ids"] = ",".join(selected)
        return super().merge_tags_view(request)


@admin.register(Author)
class AuthorAdmin(SafeAutocompleteMixin, AuditedDeletionsMixin, admin.ModelAdmin):
    form = AuthorAdminForm
    list_display = ("name", "slug", "user")
    list_select_related = ("user",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")
    autocomplete_fields = ("user",)

    def get_fields(self, request, obj=None):
        # The name and bio in the other languages under the default language's.
        return ["name", "slug", "bio", *text_field_names(Author), "photo", "user"]

    def get_deleted_objects(self, objs, request):
        # Regions and rubrics are PROTECTed by their foreign keys; authors are linked by a
        # many-to-many, which Django would silently unlink, leaving stories without a byline.
        # Listing credited stories as protected makes the admin refuse the deletion (single
        # and bulk) with its usual "would require deleting protected objects" message.
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        credited = Article.objects.filter(authors__in=objs).distinct().order_by("title")
        protected = [
            *protected,
            *(
                format_html("{}: {}", capfirst(Article._meta.verbose_name), story)
                for story in credited
            ),
        ]
        return deleted, model_count, perms_needed, protected

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "photo" in form.changed_data:
            process_picture_or_warn(
                self,
                request,
                process_author_photo,
                obj,
                _("The author was saved, but the photo could not be processed."),
            )


def save_action(obj, previous_status, changed: list[str], *, created: bool) -> str | None:
    """Return the audit action a story save amounts to besides "created"/"edited", if any."""
    status_moved = created or "status" in changed
    if obj.status == Article.Status.PUBLISHED:
        if status_moved or "publish_at" in changed:
            return services.status_action(obj.status, obj.publish_at)
        return None
    if not status_moved:
        return None
    if obj.status == Article.Status.REVIEW:
        return log.Action.SENT_TO_REVIEW
    if previous_status == Article.Status.PUBLISHED:
        return log.Action.UNPUBLISHED
    return None


def reverted_fields(version_instance, form) -> list[str]:
    """Return the names of the fields a revert to *version_instance* changes in the story."""
    live = Article.objects.filter(pk=version_instance.pk).first()
    if live is None:
        return []
    # Status and time are offered as they are now (ArticleAdminForm), so the form knows
    # whether they changed; everything else comes from the version.
    changed = [
        field.name
        for field in Article.history.model.tracked_fields
        if field.name not in STATUS_FIELDS
        and getattr(live, field.attname) != getattr(version_instance, field.attname)
    ]
    return changed + [name for name in STATUS_FIELDS if name in form.changed_data]


def scheduled_edit_of(request) -> ScheduledEdit | None:
    """Return the scheduled edit this request's save made instead of changing the story."""
    return getattr(request, "_newsroom_scheduled_edit", None)


def _int_or_none(value):
    return int(value) if str(value).isdecimal() and len(str(value)) < 19 else None


def preview_url(article) -> str:
    """Return the address of *article*'s preview, in the story's language (not the admin's)."""
    with translation.override(article.language):
        return reverse("articles:preview", kwargs={"pk": article.pk})


def public(article) -> bool:
    """Return whether the public may see *article*: from the list's annotation, else asked."""
    known = getattr(article, "is_public", None)
    return article.is_published() if known is None else known


class VersionChanges(HistoricalRecordContextHelper):
    """The History page's "Changes" column in the admin's words: times as the admin writes
    them (not "2026-12-06 21:18:49+00:00"), choices by their labels, nothing as "–"."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None:
            return "–"
        if isinstance(value, datetime):
            return admin_datetime(value)
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


@admin.register(Article)
class ArticleAdmin(SafeAutocompleteMixin, SimpleHistoryAdmin):
    """The story admin, with its audit trail (the editorial app adds presence and previews)."""

    form = ArticleAdminForm

    class Media:
        # The editor's library figures and footnotes (static/js/admin/media-editor.js).
        css = {"all": ("css/admin/images.css",)}

    # Few columns, so that the list and its links fit a laptop beside the menu and a tablet
    # (static/css/admin/newsroom.css): rubric, region and byline go under the title, the
    # times and the preview link under the status.
    list_display = ("thumbnail", "story", "state", "language_code", "versions")
    list_display_links = ("story",)
    # No tag filter: it would list every tag of the site, and to authors the tags of other
    # authors' drafts too (links with ?tags__id__exact= still work).
    list_filter = (
        StoryStateFilter,
        "language",
        TranslationStateFilter,
        ("authors", AuthorFilter),
        "region",
        "rubric",
        "featured",
    )
    list_select_related = ("rubric", "region", "lead_image")
    date_hierarchy = "publish_at"
    search_fields = ("title", "teaser", "body")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("authors", "rubric", "region", "lead_image")
    readonly_fields = (
        "preview_link",
        "pending_edits",
        "earlier_corrections",
        "reading_time",
        "created_by",
        "created_at",
        "updated_at",
    )
    actions = ("publish_selected", "unpublish_selected", "send_to_review_selected")
    fieldsets = (
        (None, {"fields": ("title", "slug", "teaser", "body")}),
        (_("Lead image"), {"fields": ("lead_image",)}),
        (
            _("Publishing"),
            {
                "fields": (
                    "status",
                    "publish_at",
                    "unpublish_at",
                    "preview_link",
                    "authors",
                    "language",
                    "rubric",
                    "region",
                    "tags",
                    "featured",
                )
            },
        ),
        (
            _("Advanced"),
            {
                "classes": ("collapse",),
                "fields": (
                    "allow_reviews",
                    "revised_at",
                    "reading_time",
                    "created_by",
                    "created_at",
                    "updated_at",
                ),
            },
        ),
    )
    # Extra columns on the History page: each version's authors and tags.
    history_list_display = ("authors", "tags")

    # -- Which stories a user sees, and what they may do with them ----------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("authors").with_visibility()
        # What the status column sorts by: selected, since an author's list is DISTINCT.
        queryset = queryset.annotate(state_rank=state_order(timezone.now()))
        return with_out_of_date(queryset.editable_by(request.user))

    def get_changelist(self, request, **kwargs):
        return StoryChangeList

    def lookup_allowed(self, lookup, value, request):
        # No tag filter in the sidebar (list_filter says why), but the list by tag still opens.
        return lookup == "tags__id__exact" or super().lookup_allowed(lookup, value, request)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Another author's story is "not found", like a missing one, rather than the
            # admin's redirect: an author learns nothing about stories that are not theirs.
            raise Http404(gettext("No story with this ID exists, or it is not yours to edit."))
        return obj

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._may_open(request, obj)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        obj = self._live(obj)
        if not self._may_open(request, obj):
            return False
        # Once a story is published (or scheduled) only editors change it.
        return obj.status != Article.Status.PUBLISHED or services.can_publish(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_open(request, obj)

    def has_publish_permission(self, request):
        return services.can_publish(request.user)

    def _may_open(self, request, obj) -> bool:
        if obj is None or request.user.has_perm("articles.edit_any_article"):
            return True
        # The admin asks several times per page: remember the answer for this request.
        answers = request.__dict__.setdefault("_newsroom_editable_articles", {})
        if obj.pk not in answers:
            answers[obj.pk] = Article.objects.editable_by(request.user).filter(pk=obj.pk).exists()
        return answers[obj.pk]

    def _live(self, obj):
        """Return the stored story for a version from the History page (its status counts)."""
        if to_historic(obj) is None:
            return obj
        return Article.objects.filter(pk=obj.pk).first() or obj

    # -- The form ---------------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # A fresh class per request (modelform_factory), so this does not leak between users.
        form.can_publish = services.can_publish(request.user)
        if "schedule_edit_at" in form.base_fields:
            # Declared on the form, so formfield_for_dbfield() does not see it; a copy, as the
            # declared field is shared by every form class made from ArticleAdminForm.
            field = copy.copy(form.base_fields["schedule_edit_at"])
            field.help_text = f"{field.help_text} {time_zone_note()}"
            form.base_fields["schedule_edit_at"] = field
        return form

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.DateTimeField) and formfield is not None:
            # The date and time boxes take the newsroom's time, whatever the editor's computer
            # is set to: say which.
            help_text = str(formfield.help_text)
            formfield.help_text = f"{help_text} {time_zone_note()}".strip()
        return formfield

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        if to_historic(obj) is None:
            # On the change page only: a story being written has nothing to correct yet, and
            # a revert leaves the corrections as they are.
            corrections_fieldset = (
                _("Corrections"),
                {
                    "fields": ("correction", "earlier_corrections")
                    if self.has_change_permission(request, obj)
                    else ("earlier_corrections",)
                },
            )
            fieldsets = (*fieldsets[:-1], corrections_fieldset, fieldsets[-1])
            obj._newsroom_manage_corrections = self.may_manage_corrections(request, obj)
            if obj.status == Article.Status.PUBLISHED and self.has_change_permission(request, obj):
                scheduled_edit = (
                    _("Scheduled edit"),
                    {"fields": ("schedule_edit_at", "pending_edits")},
                )
                return (*fieldsets, scheduled_edit)
            return fieldsets
        # The revert form: say first what a revert changes, and what it leaves alone.
        live = Article.objects.filter(pk=obj.pk).with_visibility().first()
        if live is None:
            return fieldsets
        if live.is_public:
            state = gettext("public now")
        elif live.status == Article.Status.PUBLISHED:
            state = gettext("scheduled, not public yet")
        else:
            state = gettext("not public")
        description = gettext(
            "Reverting brings back this version's title, text, image, authors and tags. The "
            "story keeps its current status, “%(status)s” (%(state)s), unless you choose "
            "another below."
        ) % {"status": live.get_status_display(), "state": state}
        revert = (_("Revert"), {"fields": ("confirm_status_change",), "description": description})
        return (revert, *fieldsets)

    def save_model(self, request, obj, form, change):
        if change and form.cleaned_data.get("schedule_edit_at"):
            # The live story stays as it is: its new text waits for its time.
            live = Article.objects.get(pk=obj.pk)
            request._newsroom_scheduled_edit = scheduled_edits.edit_schedule(
                article=live,
                changes={name: form.cleaned_data[name] for name in form.scheduled_changes()},
                apply_at=form.cleaned_data["schedule_edit_at"],
                by=request.user,
            )
            return
        if not change:
            obj.created_by = request.user
        correction = form.cleaned_data.get("correction")
        corrected_at = timezone.now()
        if correction and "revised_at" not in form.changed_data:
            # Readers see "Updated" at the correction's time, unless the editor set one.
            obj.revised_at = corrected_at
        version = to_historic(obj)
        if version is not None:
            obj._change_reason = gettext("Reverted to the version of %(date)s") % {
                "date": formats.date_format(
                    timezone.localtime(version.history_date), "DATETIME_FORMAT"
                )
            }
            revert_changes = reverted_fields(obj, form)
        previous_status = form.initial.get("status") if change else None
        super().save_model(request, obj, form, change)
        if correction:
            corrections.correction_add(
                article=obj, text=correction, by=request.user, made_at=corrected_at, revise=False
            )
        if form.cleaned_data.get("mark_up_to_date") and obj.translation_source_id is not None:
            translations.mark_up_to_date(obj)
        if version is not None:
            self._record_revert(request, obj, version, revert_changes)
        self._record_save(request, obj, form, change, previous_status, reverted=version is not None)
        # The oEmbed data of the embeds in the text, fetched once by the worker: neither the
        # editor's save nor a reader's page waits for a provider, and one that is down leaves
        # a plain link. Queued with the story's own transaction, so it is never lost.
        urls = references(obj.body).embed_urls
        if urls:
            fetch_story_embeds.enqueue(urls)

    # -- The audit trail --------------------------------------------------------------------

    def _record_revert(self, request, obj, version, fields):
        details = {
            "version": version.history_id,
            "version_date": version.history_date.isoformat(),
            "fields": fields,
            "reason": str(obj._change_reason),
        }
        log.record(log.Action.REVERTED, actor=request.user, story=obj, obj=obj, details=details)

    def _record_save(self, request, obj, form, change, previous_status, *, reverted=False):
        changed = [name for name in form.changed_data if name not in FORM_ONLY_FIELDS]
        if not change:
            log.record(log.Action.CREATED, actor=request.user, story=obj, obj=obj)
        elif changed and not reverted:
            details = {"fields": changed}
            if getattr(obj, "_change_reason", ""):
                details["reason"] = str(obj._change_reason)
            log.record(log.Action.EDITED, actor=request.user, story=obj, obj=obj, details=details)
        action = save_action(obj, previous_status, changed, created=not change)
        if action is not None:
            log.record(action, actor=request.user, story=obj, obj=obj)
        if action == log.Action.SENT_TO_REVIEW:
            stories_sent_to_review.send(sender=Article, article_ids={obj.pk}, by=request.user)

    def log_change(self, request, obj, message):
        if scheduled_edit_of(request) is not None:
            # Nothing changed yet: the audit log has the scheduled edit, and its application.
            return None
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        edit = scheduled_edit_of(request)
        if edit is None:
            return super().response_change(request, obj)
        self.message_user(
            request,
            gettext(
                "Your changes to “%(story)s” are scheduled for %(time)s. Until then readers see "
                "the story as it is."
            )
            % {
                "story": edit.article.title,
                "time": formats.date_format(timezone.localtime(edit.apply_at), "DATETIME_FORMAT"),
            },
            messages.SUCCESS,
        )
        return redirect(reverse("admin:articles_article_change", args=[obj.pk]))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/scheduled-edits/<int:edit_id>/cancel/",
                self.admin_site.admin_view(self.cancel_scheduled_edit_view),
                name="articles_article_cancel_edit",
            ),
            path(
                "<path:object_id>/translate/",
                self.admin_site.admin_view(self.translate_view),
                name="articles_article_translate",
            ),
            path(
                "<path:object_id>/corrections/<int:correction_id>/edit/",
                self.admin_site.admin_view(self.correction_edit_view),
                name="articles_article_edit_correction",
            ),
            path(
                "<path:object_id>/corrections/<int:correction_id>/remove/",
                self.admin_site.admin_view(self.correction_remove_view),
                name="articles_article_remove_correction",
            ),
            *super().get_urls(),
        ]

    def cancel_scheduled_edit_view(self, request, object_id, edit_id):
        """Ask to confirm (GET), then cancel a scheduled edit of the story (POST)."""
        article = self.get_object(request, unquote(object_id))
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        edit = get_object_or_404(ScheduledEdit, pk=edit_id, article=article)
        if request.method != "POST":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": article,
                "edit": edit,
                "title": gettext("Cancel a scheduled edit"),
            }
            return TemplateResponse(
                request, "admin/articles/article/cancel_scheduled_edit.html", context
            )
        if scheduled_edits.edit_cancel(edit=edit, by=request.user):
            self.message_user(request, gettext("The scheduled edit was cancelled."))
        else:
            self.message_user(
                request,
                gettext("That edit was already applied or cancelled."),
                messages.WARNING,
            )
        return redirect(reverse("admin:articles_article_change", args=[article.pk]))

    # -- Translations -----------------------------------------------------------------------

    def may_translate(self, request, article) -> bool:
        """Return whether the user may make translations of *article*: whoever may add
        stories, of a story they may edit (``editable_by``)."""
        return self.has_add_permission(request) and (
            Article.objects.editable_by(request.user).filter(pk=article.pk).exists()
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = Article.objects.filter(pk=_int_or_none(unquote(object_id))).first()
        extra = {}
        if article is not None and self._may_open(request, article):
            extra = translation_context(
                request, article, may_change=self.has_change_permission(request, article)
            )
            if self.may_translate(request, article):
                extra["translate_into"] = languages_to_translate_into(article)
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def translate_view(self, request, object_id):
        """Make a draft translation of the story into the posted language (POST only)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        source = self.get_object(request, unquote(object_id))
        if not self.may_translate(request, source):
            raise PermissionDenied
        back = reverse("admin:articles_article_change", args=[source.pk])
        language = request.POST.get("language", "")
        if language not in dict(settings.LANGUAGES):
            self.message_user(
                request,
                gettext("Choose one of the site's languages to translate the story into."),
                messages.ERROR,
            )
            return redirect(back)
        left_off = translations.untranslated_tags(source, language)
        try:
            with transaction.atomic():
                made = translations.translate_story(source, language, by=request.user)
        except translations.TranslationRefused as refusal:
            self.message_user(
                request,
                gettext("No translation was made. %(reason)s") % {"reason": refusal},
                messages.ERROR,
            )
            return redirect(back)
        except IntegrityError:
            # Someone else made it a moment ago (two clicks, two editors).
            self.message_user(
                request,
                gettext("No translation was made: the story already has one in %(language)s.")
                % {"language": translations.language_label(language)},
                messages.ERROR,
            )
            return redirect(back)
        log.record(
            log.Action.CREATED,
            actor=request.user,
            story=made,
            obj=made,
            details={"translation_of": source.pk, "language": language},
        )
        self.log_addition(request, made, [{"added": {}}])
        self.message_user(
            request,
            gettext(
                "“%(title)s” in %(language)s was made as a draft from the %(source)s original: "
                "translate its title, teaser and text here, then save and publish it."
            )
            % {
                "title": made.title,
                "language": translations.language_label(language),
                "source": translations.language_label(source.language),
            },
            messages.SUCCESS,
        )
        if left_off:
            self.message_user(
                request,
                gettext(
                    "Left off, as they have no version in %(language)s yet: %(tags)s. Link each "
                    "to its translation under Tags (“Translation of”), then add it here."
                )
                % {
                    "language": translations.language_label(language),
                    "tags": ", ".join(f"“{tag.name}”" for tag in left_off),
                },
                messages.WARNING,
            )
        return redirect(reverse("admin:articles_article_change", args=[made.pk]))

    # -- Corrections ------------------------------------------------------------------------

    def may_manage_corrections(self, request, article) -> bool:
        """Return whether the user may edit and remove the corrections of *article*: editors,
        and only on a story they may change."""
        return services.can_publish(request.user) and self.has_change_permission(request, article)

    def _correction_of(self, request, object_id, correction_id):
        article = self.get_object(request, unquote(object_id))
        if not self.may_manage_corrections(request, article):
            raise PermissionDenied
        return article, get_object_or_404(Correction, pk=correction_id, article=article)

    def _correction_page(self, request, article, correction, template, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "correction": correction,
            **context,
        }
        return TemplateResponse(request, f"admin/articles/article/{template}", context)

    def correction_edit_view(self, request, object_id, correction_id):
        """Show (GET) and save (POST) the text of one of the story's corrections."""
        article, correction = self._correction_of(request, object_id, correction_id)
        form = CorrectionEditForm(request.POST or None, initial={"text": correction.text})
        if request.method == "POST" and form.is_valid():
            corrections.correction_edit(
                correction=correction, text=form.cleaned_data["text"], by=request.user
            )
            self.message_user(request, gettext("The correction was changed."), messages.SUCCESS)
            return redirect(reverse("admin:articles_article_change", args=[article.pk]))
        return self._correction_page(
            request,
            article,
            correction,
            "correction_edit.html",
            form=form,
            title=gettext("Change a correction"),
        )

    def correction_remove_view(self, request, object_id, correction_id):
        """Ask to confirm (GET), then remove one of the story's corrections (POST)."""
        article, correction = self._correction_of(request, object_id, correction_id)
        if request.method != "POST":
            return self._correction_page(
                request,
                article,
                correction,
                "correction_remove.html",
                title=gettext("Remove a correction"),
            )
        corrections.correction_remove(correction=correction, by=request.user)
        self.message_user(request, gettext("The correction was removed."), messages.SUCCESS)
        return redirect(reverse("admin:articles_article_change", args=[article.pk]))

    @admin.display(description=_("earlier corrections"))
    def earlier_corrections(self, obj):
        if obj is None or obj.pk is None:
            return ""
        listed = list(obj.corrections.order_by("made_at", "pk").select_related("created_by"))
        if not listed:
            return gettext("None yet.")
        return render_to_string(
            "admin/articles/article/corrections.html",
            {
                "corrections": [
                    (
                        correction,
                        reverse(
                            "admin:articles_article_edit_correction", args=[obj.pk, correction.pk]
                        ),
                        reverse(
                            "admin:articles_article_remove_correction",
                            args=[obj.pk, correction.pk],
                        ),
                    )
                    for correction in listed
                ],
                # Decided with the request (get_fieldsets), which this column is not given.
                "manage": getattr(obj, "_newsroom_manage_corrections", False),
            },
        )

    @admin.display(description=_("waiting edits"))
    def pending_edits(self, obj):
        if obj is None or obj.pk is None:
            return ""
        edits = list(obj.scheduled_edits.pending().select_related("created_by"))
        if not edits:
            return gettext("None: changes saved without a time go live at once.")
        return render_to_string(
            "admin/articles/article/pending_edits.html",
            {
                "edits": [
                    (edit, reverse("admin:articles_article_cancel_edit", args=[obj.pk, edit.pk]))
                    for edit in edits
                ]
            },
        )

    def delete_model(self, request, obj):
        log.record(log.Action.DELETED, actor=request.user, story=obj, obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        log.record_many(
            log.entry(log.Action.DELETED, actor=request.user, story=article, obj=article)
            for article in queryset.only("pk", "title")
        )
        super().delete_queryset(request, queryset)

    def save_related(self, request, form, formsets, change):
        if scheduled_edit_of(request) is not None:
            return
        super().save_related(request, form, formsets, change)
        profile = getattr(request.user, "author_profile", None)
        if not change and profile is not None:
            form.instance.authors.add(profile)

    # -- History: reverting is changing -----------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        # A story the user may not see is "not found" here as on its change page, never a
        # 403 that would confirm that the id exists.
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404("No such story.")
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404("No such story.")
        # django-simple-history checks only the view permission before saving a revert.
        if request.method == "POST":
            version = get_object_or_404(
                Article.history.model, id=unquote(object_id), history_id=version_id
            )
            if not self.has_change_permission(request, version.instance):
                raise PermissionDenied
        # The library renders its media to a string, and with render(): the CSP middleware
        # could not give the editor's import map a nonce and the browser would block it. Pass
        # the media object, and answer a TemplateResponse (render_history_view).
        form_media = self.get_form(request)().media
        extra_context = {"media": self.media + form_media, **(extra_context or {})}
        return super().history_form_view(request, object_id, version_id, extra_context)

    def render_history_view(self, request, template, context, **kwargs):
        return TemplateResponse(request, template, context, **kwargs)

    def get_historical_record_context_helper(self, request, historical_record):
        return VersionChanges(self.model, historical_record)

    @admin.display(description=_("authors"))
    def authors(self, version):
        return version.author_names()

    @admin.display(description=_("tags"))
    def tags(self, version):
        return version.tags_snapshot

    # -- Columns and links ------------------------------------------------------------------

    @admin.display(description=_("image"))
    def thumbnail(self, obj):
        url = rendition_url(obj.lead_image, "3x2", 160)
        if not url:
            return ""
        return format_html(
            '<img src="{}" alt="" width="80" height="53" loading="lazy" decoding="async">', url
        )

    @admin.display(description=_("story"), ordering="title")
    def story(self, obj):
        byline = ", ".join(author.name for author in obj.authors.all())
        details = " · ".join(part for part in (obj.rubric.name, obj.region.name, byline) if part)
        return format_html('{}<span class="story-details">{}</span>', obj.title, details)

    @admin.display(description=_("language"), ordering="language")
    def language_code(self, obj):
        return format_html(
            '<span lang="{}" title="{}">{}</span>',
            obj.language,
            translations.language_label(obj.language),
            obj.language.upper(),
        )

    @admin.display(description=_("translations"))
    def versions(self, obj):
        return versions_cell(obj)

    @admin.display(description=_("status"), ordering="state_rank")
    def state(self, obj):
        state = story_state(obj, timezone.now())
        if state == State.SCHEDULED:
            times = [(obj.publish_at, gettext("for %(time)s"))]
        elif state == State.PUBLISHED:
            times = [(obj.publish_at, gettext("since %(time)s"))]
        elif state == State.EXPIRED:
            times = [(obj.unpublish_at, gettext("since %(time)s"))]
        else:
            times = []
        if state in (State.SCHEDULED, State.PUBLISHED) and obj.unpublish_at is not None:
            times.append((obj.unpublish_at, gettext("until %(time)s")))
        return format_html(
            '<span class="story-state story-state-{}">{}</span>{}{}',
            state.value,
            state.label,
            format_html_join(
                "",
                '<span class="story-time">{}</span>',
                ((label % {"time": admin_datetime(moment)},) for moment, label in times),
            ),
            self.preview_link(obj),
        )

    @admin.display(description=_("preview"))
    def preview_link(self, obj):
        if obj is None or obj.pk is None or public(obj):
            return ""
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            preview_url(obj),
            _("Preview"),
        )

    def view_on_site(self, obj):
        # The public address answers 404 until the story is out; staff get the preview.
        if public(obj):
            return obj.get_absolute_url()
        return preview_url(obj)

    # -- Bulk actions -----------------------------------------------------------------------

    @admin.action(description=_("Publish selected stories"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        count = services.articles_publish(queryset=queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d story published.", "%(count)d stories published.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        past_end = queryset.exclude(status=Article.Status.PUBLISHED).filter(
            unpublish_at__lte=timezone.now()
        )
        titles = list(past_end.values_list("title", flat=True)[:5])
        if titles:
            self.message_user(
                request,
                gettext(
                    "Not published, as their “unpublish at” time has passed: %(titles)s. "
                    "Set a later time, or none, on each story's page."
                )
                % {"titles": ", ".join(f"“{title}”" for title in titles)},
                messages.WARNING,
            )

    @admin.action(description=_("Unpublish selected stories"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        count = services.articles_unpublish(queryset=queryset, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d story taken off the site (back to draft).",
                "%(count)d stories taken off the site (back to draft).",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Send selected stories to review"), permissions=["change"])
    def send_to_review_selected(self, request, queryset):
        count = services.articles_send_to_review(queryset=queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d story sent to review.", "%(count)d stories sent to review.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Redirect)
class RedirectAdmin(AuditedDeletionsMixin, admin.ModelAdmin):
    """Permanent redirects: made by slug changes automatically, or added here by editors."""

    list_display = ("old_path", "new_path", "created_at")
    search_fields = ("old_path", "new_path")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at",)
