from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Value, When
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from articles.admin_filters import StoryListFilter
from articles.models import Article
from audit import log
from audit.admin import AuditedDeletionsMixin
from reviews.models import ModerationSettings, Review
from reviews.services import moderation_recorded, review_moderate, review_row
from serving.dates import admin_datetime

PENDING_FIRST = Case(When(status=Review.Status.PENDING, then=Value(0)), default=Value(1))
STORY_CHOICES = 30


class StoryFilter(StoryListFilter):
    """Filter by story, offering the stories with the most reviews waiting.

    The story column links here with ``?article=<id>`` for any other story.
    """

    parameter_name = "article"
    story_field = "article_id"

    def story_choices(self):
        busiest = (
            Article.objects.filter(reviews__status=Review.Status.PENDING)
            .annotate(waiting=Count("reviews"))
            .order_by("-waiting", "title")
            .values_list("pk", "title", "waiting")[:STORY_CHOICES]
        )
        return [(str(pk), f"{title} ({waiting})") for pk, title, waiting in busiest]


@admin.register(Review)
class ReviewAdmin(AuditedDeletionsMixin, admin.ModelAdmin):
    # Four columns, so that the buttons stay in sight beside the menu at 1280 px and on a
    # tablet (static/css/admin/newsroom.css): who wrote on which story and when go together,
    # as do the status and the rules' reasons.
    list_display = ("excerpt", "sender", "state", "row_actions")
    list_display_links = ("excerpt",)
    list_filter = (
        "status",
        StoryFilter,
        ("article__region", admin.RelatedFieldListFilter),
        "created_at",
    )
    search_fields = ("name", "email", "body")
    search_help_text = _("Search in name, email and review text.")
    ordering = (PENDING_FIRST.asc(), "created_at", "pk")
    list_per_page = 50
    show_full_result_count = False
    actions = ("approve", "reject", "mark_spam")
    readonly_fields = (
        "article",
        "name",
        "email",
        "body",
        "created_at",
        "rule_reasons",
        "fingerprint",
        "user_agent",
        "moderated_by",
        "moderated_at",
        "reply_by",
        "reply_at",
        "follow_up",
        "follow_up_confirmed_at",
        "follow_up_mailed_at",
    )
    fieldsets = (
        (None, {"fields": ("article", "name", "email", "body", "created_at", "status")}),
        (_("Why the rules decided so"), {"fields": ("rule_reasons",)}),
        (_("Moderation"), {"fields": ("moderated_by", "moderated_at")}),
        (_("Reply from the newsroom"), {"fields": ("reply", "reply_by", "reply_at")}),
        (
            _("Advanced"),
            {
                "classes": ("collapse",),
                "fields": (
                    "fingerprint",
                    "user_agent",
                    "follow_up",
                    "follow_up_confirmed_at",
                    "follow_up_mailed_at",
                ),
            },
        ),
    )

    audit_story_field = "article"

    def view_on_site(self, review):
        # Only while its story is public: a moderator may not learn a draft's address.
        if Article.objects.filter(pk=review.article_id).published().exists():
            return review.get_absolute_url()
        return None

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("article", "moderated_by")
            .defer("article__body", "article__teaser")
        )

    def get_list_display(self, request):
        if self.has_moderate_permission(request):
            return self.list_display
        return tuple(column for column in self.list_display if column != "row_actions")

    def has_add_permission(self, request):
        # Reviews come from readers only.
        return False

    def has_moderate_permission(self, request):
        return request.user.has_perm("reviews.moderate_review")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not self.has_moderate_permission(request):
            fields = (*fields, "status")
        return fields

    @admin.display(description=_("from"), ordering="created_at")
    def sender(self, obj):
        return format_html(
            '<span class="review-name">{}</span><span class="review-email">{}</span>'
            '<span class="review-story">{}</span><span class="review-time">{}</span>',
            obj.name,
            obj.email,
            format_html(gettext("on {story}"), story=self.story(obj)),
            admin_datetime(obj.created_at),
        )

    @admin.display(description=_("story"), ordering="article__title")
    def story(self, obj):
        url = reverse("admin:reviews_review_changelist") + f"?article={obj.article_id}"
        return format_html('<a href="{}">{}</a>', url, Truncator(obj.article.title).chars(60))

    @admin.display(description=_("status"), ordering="status")
    def state(self, obj):
        reasons = format_html_join("", "<li>{}</li>", ((reason,) for reason in obj.reasons))
        return format_html(
            '<span class="review-status review-status-{}">{}</span>{}',
            obj.status,
            obj.get_status_display(),
            format_html('<ul class="rule-reasons">{}</ul>', reasons) if obj.reasons else "",
        )

    @admin.display(description=_("review"))
    def excerpt(self, obj):
        return Truncator(" ".join(obj.body.split())).chars(120)

    @admin.display(description=_("rule reasons"))
    def rule_reasons(self, obj):
        if not obj.reasons:
            return "–"
        return format_html_join(", ", "{}", ((reason,) for reason in obj.reasons))

    @admin.display(description=_("moderate"))
    def row_actions(self, obj):
        # Buttons of the changelist form itself (formaction): they post its CSRF token to
        # the moderate view, so no form is nested and no JavaScript is needed.
        buttons = [
            (reverse("admin:reviews_review_moderate", args=(obj.pk, status)), label, obj.name)
            for status, label in (
                (Review.Status.APPROVED, _("Approve")),
                (Review.Status.REJECTED, _("Reject")),
                (Review.Status.SPAM, _("Spam")),
            )
            if status != obj.status
        ]
        return format_html(
            '<div class="moderate-buttons">{}</div>',
            format_html_join(
                "",
                '<button type="submit" class="button" formaction="{}" formnovalidate '
                'aria-label="{} – {}">{}</button>',
                ((url, label, name, label) for url, label, name in buttons),
            ),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/moderate/<str:status>/",
                self.admin_site.admin_view(require_POST(self.moderate_view)),
                name="reviews_review_moderate",
            ),
            *super().get_urls(),
        ]

    def moderate_view(self, request, pk, status):
        """Apply one row button: POST only (CSRF-checked by the middleware), moderators only."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        if status not in Review.Status.values:
            raise PermissionDenied
        review = get_object_or_404(Review, pk=pk)
        review_moderate(reviews=Review.objects.filter(pk=review.pk), status=status, by=request.user)
        self.message_user(
            request,
            _("Review by %(name)s: %(status)s.")
            % {"name": review.name, "status": Review.Status(status).label.lower()},
            messages.SUCCESS,
        )
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("admin:reviews_review_changelist")
        return HttpResponseRedirect(back)

    def moderate_selected(self, request, queryset, status):
        count = review_moderate(reviews=queryset, status=status, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d review marked %(status)s.",
                "%(count)d reviews marked %(status)s.",
                count,
            )
            % {"count": count, "status": Review.Status(status).label.lower()},
            messages.SUCCESS,
        )

    @admin.action(permissions=["moderate"], description=_("Approve selected reviews"))
    def approve(self, request, queryset):
        self.moderate_selected(request, queryset, Review.Status.APPROVED)

    @admin.action(permissions=["moderate"], description=_("Reject selected reviews"))
    def reject(self, request, queryset):
        self.moderate_selected(request, queryset, Review.Status.REJECTED)

    @admin.action(permissions=["moderate"], description=_("Mark selected reviews as spam"))
    def mark_spam(self, request, queryset):
        self.moderate_selected(request, queryset, Review.Status.SPAM)

    def save_model(self, request, obj, form, change):
        now = timezone.now()
        if "status" in form.changed_data:
            obj.moderated_by = request.user
            obj.moderated_at = now
        if "reply" in form.changed_data:
            obj.reply_by = request.user if obj.reply else None
            obj.reply_at = now if obj.reply else None
        super().save_model(request, obj, form, change)
        if "status" in form.changed_data:
            moderation_recorded([review_row(obj)], status=obj.status, by=request.user, at=now)


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    fieldsets = (
        (_("Words"), {"fields": ("hold_words", "block_words")}),
        (_("Rules"), {"fields": ("link_threshold", "trusted_auto_approve", "close_after_days")}),
        (
            _("Pauses"),
            {"fields": ("reviews_read_only", "quiet_hours_start", "quiet_hours_end")},
        ),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.changed_data:
            log.record(
                log.Action.RULES_CHANGED,
                actor=request.user,
                obj=obj,
                details=rules_changes(form),
            )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ModerationSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # Staff without any right on the rules get 403 here, as on every other admin list,
        # rather than a redirect (and a row created on their behalf by load()).
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        # One row of rules: go straight to it.
        rules = ModerationSettings.load()
        return redirect("admin:reviews_moderationsettings_change", rules.pk)


def rules_changes(form) -> dict:
    """Return what an edit of the moderation rules changed, for the audit log.

    Word lists as the words added and removed; other fields as their old and new values.
    """
    changes = {}
    for name in form.changed_data:
        before, after = form.initial.get(name), form.cleaned_data.get(name)
        if name in ("hold_words", "block_words"):
            old = set(ModerationSettings.word_list(before or ""))
            new = set(ModerationSettings.word_list(after or ""))
            changes[name] = {"added": sorted(new - old), "removed": sorted(old - new)}
        else:
            changes[name] = {"from": _json_value(before), "to": _json_value(after)}
    return {"changes": changes}


def _json_value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
