"""The editorial desk in the admin: preview links and presence on the story page, the list of
preview links, the "Upcoming" list and the schedule check.

The story admin itself is ``articles.admin.ArticleAdmin``; this app registers it again with
``StoryEditorialAdminMixin``, which adds to the story's change page:

- who else has the story open ("being edited by … since …", ``editorial.services``);
- the list of its preview links, a form to create one and buttons to revoke them.

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
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.admin import ArticleAdmin
from articles.models import Article
from audit.admin import AuditedDeletionsMixin
from editorial import schedule, services
from editorial.models import PreviewLink, PreviewOpening, UpcomingStory
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
    """Preview links and presence on the story admin (see the module doc)."""

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
            if may_share:
                # Only someone who can save counts as "editing"; readers of a locked story don't.
                services.presence_touch(article=article, user=request.user)
            extra = {
                "editing_now": services.presence_others(article=article, user=request.user),
                "presence_minutes": settings.EDITORIAL_PRESENCE_SECONDS // 60,
                "may_share": may_share,
                "can_share": services.can_share(article),
                "preview_links": list(
                    article.preview_links.select_related("created_by", "revoked_by")
                    .annotate(
                        opening_count=Count("openings"), last_opened=Max("openings__opened_at")
                    )
                    .order_by("-created_at")[:20]
                ),
                "preview_link_form": PreviewLinkForm() if may_share else None,
                "now": timezone.now(),
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
            self.message_user(
                request,
                _("This story is already public: share its address instead."),
                messages.WARNING,
            )
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
    """Scheduled stories, soonest first, with times in the site's time zone."""

    list_display = ("publish_time", "due_in", "story", "rubric", "region", "featured")
    list_display_links = None
    list_select_related = ("rubric", "region")
    search_fields = ("title",)
    ordering = ("publish_at", "pk")
    list_per_page = 100

    def get_queryset(self, request):
        return schedule.upcoming().select_related("rubric", "region").defer("body")

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

    @admin.display(description=_("goes out at"), ordering="publish_at")
    def publish_time(self, obj):
        return timezone.localtime(obj.publish_at).strftime("%Y-%m-%d %H:%M %Z")

    @admin.display(description=_("in"))
    def due_in(self, obj):
        return timeuntil(obj.publish_at)

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
