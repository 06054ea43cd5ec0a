"""The editorial desk in the admin: preview links and presence on the story page, the list of
preview links, the "Upcoming" list and the schedule check.

The story admin itself is ``articles.admin.ArticleAdmin``; this app registers it again with
``StoryEditorialAdminMixin``, which adds to the story's change page:

- who else has the story open ("being edited by … since …", ``editorial.services``);
- the list of its preview links, a form to create one and buttons to revoke them;
- the review workflow: the note it was sent back with (for its authors, above the form),
  "Send back to the author" for editors while it is in review, and its internal notes.

The story's audit trail and the refusal of stale saves are the story admin's own
(``articles.admin``, ``articles.concurrency``).
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.timesince import timeuntil
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from articles.admin import ArticleAdmin
from articles.models import Article
from articles.services import can_publish
from audit.admin import AuditedDeletionsMixin
from editorial import dashboard, schedule, services
from editorial.forms import SendBackForm, StoryNoteForm
from editorial.models import PreviewLink, PreviewOpening, StoryNote, UpcomingStory
from serving.dates import admin_datetime
from serving.origin import absolute_url


def is_editor(request) -> bool:
    return request.user.is_active and request.user.has_perm("articles.edit_any_article")


class PreviewLinkForm(forms.Form):
    hours = forms.TypedChoiceField(label=_("Expires after"), coerce=int, choices=())
    label = forms.CharField(
        label=_("Shared with"),
        max_length=PreviewLink._meta.get_field("label").max_length,
        required=False,
        help_text=_("Optional, for your colleagues: who the link is for."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hours"].choices = services.expiry_choices()
        self.fields["hours"].initial = settings.EDITORIAL_PREVIEW_DEFAULT_HOURS


class StoryEditorialAdminMixin:
    """Preview links, presence and the review workflow on the story admin (see the module doc)."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/share/",
                self.admin_site.admin_view(self.share_create_view),
                name=f"{prefix}_share",
            ),
            path(
                "<path:object_id>/share/<int:link_id>/revoke/",
                self.admin_site.admin_view(self.share_revoke_view),
                name=f"{prefix}_share_revoke",
            ),
            path(
                "<path:object_id>/send-back/",
                self.admin_site.admin_view(self.send_back_view),
                name=f"{prefix}_send_back",
            ),
            path(
                "<path:object_id>/notes/add/",
                self.admin_site.admin_view(self.note_add_view),
                name=f"{prefix}_note_add",
            ),
            *super().get_urls(),
        ]

    def get_deleted_objects(self, objs, request):
        # A story's preview links (and the log of their openings) belong to it: whoever may
        # delete the story may delete them with it, although links alone are only revoked.
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        owned = {str(PreviewLink._meta.verbose_name), str(PreviewOpening._meta.verbose_name)}
        return deleted, model_count, perms_needed - owned, protected

    # -- The change page ------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = Article.objects.filter(pk=_int_or_none(unquote(object_id))).first()
        extra = {}
        if article is not None and self.has_view_or_change_permission(request, article):
            may_share = self.has_change_permission(request, article)
            can_share = services.can_share(article)
            if may_share:
                # Only someone who can save counts as "editing"; readers of a locked story don't.
                services.presence_touch(article=article, user=request.user)
            extra = {
                "editing_now": services.presence_others(article=article, user=request.user),
                "presence_minutes": settings.EDITORIAL_PRESENCE_SECONDS // 60,
                "may_share": may_share,
                "can_share": can_share,
                "story_expired": not can_share and article.is_expired(),
                "preview_links": list(
                    article.preview_links.select_related("created_by", "revoked_by")
                    .annotate(
                        opening_count=Count("openings"), last_opened=Max("openings__opened_at")
                    )
                    .order_by("-created_at")[:20]
                ),
                "preview_link_form": PreviewLinkForm() if may_share else None,
                "now": timezone.now(),
                **self._workflow_context(request, article),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def response_change(self, request, obj):
        if "_continue" not in request.POST:
            # Saved and leaving the page: no longer "being edited".
            services.presence_clear(article=obj, user=request.user)
        return super().response_change(request, obj)

    # -- Preview links ------------------------------------------------------------------------

    def _shareable_story(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        return article

    def _back_to_story(self, article):
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[article.pk]
        )
        return HttpResponseRedirect(url + "#preview-links")

    def share_create_view(self, request, object_id):
        """Create a preview link (POST) and show its address, once."""
        article = self._shareable_story(request, object_id)
        if request.method != "POST":
            return self._back_to_story(article)
        form = PreviewLinkForm(request.POST)
        if not services.can_share(article):
            if article.is_expired():
                message = _("This story came down at its “unpublish at” time: it is not shared.")
            else:
                message = _("This story is already public: share its address instead.")
            self.message_user(request, message, messages.WARNING)
            return self._back_to_story(article)
        if not form.is_valid():
            self.message_user(
                request, _("Choose how long the preview link should work."), messages.ERROR
            )
            return self._back_to_story(article)
        link, token = services.preview_link_create(
            article=article,
            by=request.user,
            hours=form.cleaned_data["hours"],
            label=form.cleaned_data["label"],
        )
        share_url = absolute_url(reverse("editorial:share", args=[token]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": gettext("Preview link created"),
            "link": link,
            "share_url": share_url,
            "story_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[article.pk]
            ),
        }
        response = TemplateResponse(request, "editorial/admin/preview_link_created.html", context)
        # The token appears only here: no cache, no history entry to replay.
        add_never_cache_headers(response)
        response["Referrer-Policy"] = "no-referrer"
        return response

    def share_revoke_view(self, request, object_id, link_id):
        article = self._shareable_story(request, object_id)
        if request.method != "POST":
            return self._back_to_story(article)
        link = get_object_or_404(PreviewLink, pk=link_id, article=article)
        if services.preview_link_revoke(link=link, by=request.user):
            self.message_user(
                request, _("The preview link was revoked: it no longer opens."), messages.SUCCESS
            )
        else:
            self.message_user(request, _("That preview link was already revoked."))
        return self._back_to_story(article)

    # -- The review workflow ------------------------------------------------------------------

    def _workflow_context(self, request, article) -> dict:
        may_send_back = article.status == Article.Status.REVIEW and can_publish(request.user)
        return {
            # Only a draft is "sent back": once it is in review again, the note is resolved.
            "sent_back_note": (
                StoryNote.objects.unresolved().filter(article=article).newest_first().first()
                if article.status == Article.Status.DRAFT
                else None
            ),
            "review_request": (
                dashboard.with_review_request(Article.objects.filter(pk=article.pk))
                .values("sent_at", "sent_by")
                .first()
                if article.status == Article.Status.REVIEW
                else None
            ),
            "may_send_back": may_send_back,
            "send_back_form": SendBackForm() if may_send_back else None,
            "story_notes": list(article.notes.internal().newest_first()),
            "note_form": StoryNoteForm(),
        }

    def _story_page(self, article, anchor: str = ""):
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[article.pk]
        )
        return HttpResponseRedirect(url + anchor)

    def _note_page(self, request, article, form, **context):
        """Render a note's form on a page of its own: after an error, with the text kept."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "form": form,
            "story_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[article.pk]
            ),
            **context,
        }
        return TemplateResponse(request, "editorial/admin/story_note_form.html", context)

    def send_back_view(self, request, object_id):
        """Send the story back to its authors with a note (POST); editors only.

        The form shows on a page of its own on GET, and again with the note kept when it
        cannot be sent: nothing the editor wrote is lost.
        """
        article = self.get_object(request, unquote(object_id))
        if not (can_publish(request.user) and self.has_view_or_change_permission(request, article)):
            raise PermissionDenied
        posted = request.method == "POST"
        if not posted and article.status != Article.Status.REVIEW:
            self.message_user(
                request, _("Only a story in review can be sent back."), messages.WARNING
            )
            return self._story_page(article)
        form = SendBackForm(request.POST if posted else None)
        if posted and form.is_valid():
            try:
                services.story_send_back(
                    article=article, by=request.user, text=form.cleaned_data["text"]
                )
            except services.NotInReview:
                form.add_error(
                    None,
                    _(
                        "This story is no longer in review (someone changed it meanwhile), so "
                        "it was not sent back. Your note is kept below."
                    ),
                )
            else:
                self.message_user(
                    request,
                    gettext("“%(story)s” was sent back to its authors with your note.")
                    % {"story": article.title},
                    messages.SUCCESS,
                )
                # Done with it: off the story (no longer "being edited"), back to the queue.
                services.presence_clear(article=article, user=request.user)
                return HttpResponseRedirect(reverse("admin:index"))
        return self._note_page(
            request,
            article,
            form,
            title=gettext("Send back to the author"),
            action_url=reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_send_back", args=[article.pk]
            ),
            submit_label=gettext("Send back to the author"),
            explanation=gettext(
                "The story becomes a draft again. Its authors see your note above the story "
                "and on their dashboard, and get it by email."
            ),
        )

    def note_add_view(self, request, object_id):
        """Add an internal note to the story (POST): anyone who may open the story."""
        article = self.get_object(request, unquote(object_id))
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        if request.method != "POST":
            return self._story_page(article, "#story-notes")
        form = StoryNoteForm(request.POST)
        if form.is_valid():
            services.story_note_add(
                article=article, by=request.user, text=form.cleaned_data["text"]
            )
            self.message_user(
                request, _("Your note was added. Only staff see it."), messages.SUCCESS
            )
            return self._story_page(article, "#story-notes")
        return self._note_page(
            request,
            article,
            form,
            title=gettext("Add an internal note"),
            action_url=reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_note_add", args=[article.pk]
            ),
            submit_label=gettext("Add the note"),
            explanation=gettext("Only staff who work on this story see its internal notes."),
        )


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- Preview links --------------------------------------------------------------------------


class PreviewOpeningInline(admin.TabularInline):
    model = PreviewOpening
    fields = ("opened_at", "fingerprint", "user_agent")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return is_editor(request) or request.user.is_superuser


class LinkStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return PreviewLink.State.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == PreviewLink.State.ACTIVE:
            return queryset.active(now)
        if self.value() == PreviewLink.State.REVOKED:
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == PreviewLink.State.EXPIRED:
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        return queryset


@admin.register(PreviewLink)
class PreviewLinkAdmin(AuditedDeletionsMixin, admin.ModelAdmin):
    """Every preview link, its openings, and revoking in bulk. Links are made on the story page."""

    list_display = (
        "story",
        "label",
        "created_by",
        "created_at",
        "expires_at",
        "state",
        "opening_count",
        "last_opened",
    )
    list_filter = (LinkStateFilter, ("created_by", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("article", "created_by")
    search_fields = ("article__title", "label")
    fields = (
        "article",
        "label",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
    )
    readonly_fields = fields
    inlines = (PreviewOpeningInline,)
    actions = ("revoke_selected",)

    audit_story_field = "article"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(opening_count=Count("openings"), last_opened=Max("openings__opened_at"))
        )

    def has_module_permission(self, request):
        return is_editor(request) or request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return is_editor(request) or request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        # Nothing is edited; "change" is what lets an editor revoke from the list.
        return is_editor(request) or request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Openings are a log: only superusers remove them.
        return request.user.is_active and request.user.is_superuser

    @admin.display(description=_("story"), ordering="article__title")
    def story(self, obj):
        url = reverse("admin:articles_article_change", args=[obj.article_id])
        return format_html('<a href="{}">{}</a>', url, Truncator(obj.article.title).chars(60))

    @admin.display(description=_("state"))
    def state(self, obj):
        return PreviewLink.State(obj.state()).label

    @admin.display(description=_("openings"), ordering="opening_count")
    def opening_count(self, obj):
        return obj.opening_count

    @admin.display(description=_("last opened"), ordering="last_opened")
    def last_opened(self, obj):
        return obj.last_opened or "–"

    @admin.action(description=_("Revoke selected preview links"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        revoked = sum(
            services.preview_link_revoke(link=link, by=request.user)
            for link in queryset.filter(revoked_at__isnull=True).select_related("article")
        )
        self.message_user(
            request,
            gettext("%(count)d preview link(s) revoked.") % {"count": revoked},
            messages.SUCCESS,
        )


# -- Upcoming stories and the schedule check ----------------------------------------------------


@admin.register(UpcomingStory)
class UpcomingStoryAdmin(admin.ModelAdmin):
    """What will change by itself, soonest first: stories going up, coming down at their
    "unpublish at", scheduled edits going live; times in the site's time zone."""

    list_display = ("publish_time", "due_in", "change", "story", "rubric", "region")
    list_display_links = None
    list_select_related = ("rubric", "region")
    search_fields = ("title",)
    list_per_page = 100

    def get_queryset(self, request):
        return schedule.upcoming().select_related("rubric", "region").defer("body")

    def get_ordering(self, request):
        # An annotation of upcoming(), which the ordering attribute could not name.
        return ("next_change_at", "pk")

    def get_urls(self):
        return [
            path(
                "problems/",
                self.admin_site.admin_view(self.problems_view),
                name="editorial_schedule_problems",
            ),
            *super().get_urls(),
        ]

    def has_module_permission(self, request):
        return is_editor(request) or request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return is_editor(request) or request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra = {
            "title": gettext("Upcoming stories"),
            "subtitle": gettext("Times in %(zone)s") % {"zone": settings.TIME_ZONE},
        }
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    @admin.display(description=_("at"), ordering="next_change_at")
    def publish_time(self, obj):
        return admin_datetime(obj.next_change_at)

    @admin.display(description=pgettext_lazy("time until", "in"))
    def due_in(self, obj):
        return timeuntil(obj.next_change_at)

    @admin.display(description=_("what happens"))
    def change(self, obj):
        return {
            schedule.Change.GOES_UP: gettext("Goes live"),
            schedule.Change.COMES_DOWN: gettext("Comes down (unpublish at)"),
            schedule.Change.EDIT: gettext("Scheduled edit goes live"),
        }[obj.next_change]

    @admin.display(description=_("story"), ordering="title")
    def story(self, obj):
        url = reverse("admin:articles_article_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.title)

    def problems_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Schedule check"),
            "problems": schedule.find_problems(),
            "time_zone": settings.TIME_ZONE,
        }
        return TemplateResponse(request, "editorial/admin/schedule_problems.html", context)


# -- The story admin, with the desk's additions ------------------------------------------------


class EditorialArticleAdmin(StoryEditorialAdminMixin, ArticleAdmin):
    """The story admin of ``articles``, with presence and preview links on its change page."""

    change_form_template = "editorial/admin/article_change_form.html"


admin.site.unregister(Article)
admin.site.register(Article, EditorialArticleAdmin)
