from collections import Counter

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Prefetch, Value, When
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
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
from reviews import tools
from reviews.forms import BlockForm, RedactForm
from reviews.models import ModerationSettings, Review, ReviewerBlock, ReviewReport
from reviews.services import moderation_recorded, reports_dismiss, review_moderate, review_row
from serving.dates import admin_datetime

PENDING_FIRST = Case(When(status=Review.Status.PENDING, then=Value(0)), default=Value(1))
STORY_CHOICES = 30
# What a moderator may set with a row button or an action (withdrawing is the author's).
MODERATOR_STATUSES = (
    Review.Status.APPROVED,
    Review.Status.REJECTED,
    Review.Status.SPAM,
    Review.Status.PENDING,
)
MODERATE_PERMISSION = "reviews.moderate_review"


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return (("reviews", _("Reviews")), ("replies", _("Replies")))

    def queryset(self, request, queryset):
        if self.value() == "reviews":
            return queryset.top_level()
        if self.value() == "replies":
            return queryset.replies()
        return queryset


class ReportedFilter(admin.SimpleListFilter):
    """The "Reported" view of the queue: reviews readers reported and no moderator dealt with."""

    title = _("reports")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return (("open", _("Reported")), ("any", _("Reported at any time")))

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(pk__in=ReviewReport.objects.open().values("review_id"))
        if self.value() == "any":
            return queryset.filter(pk__in=ReviewReport.objects.values("review_id"))
        return queryset


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
        ReportedFilter,
        KindFilter,
        StoryFilter,
        ("article__region", admin.RelatedFieldListFilter),
        "created_at",
    )
    search_fields = ("name", "email", "body")
    search_help_text = _("Search in name, email and review text.")
    ordering = (PENDING_FIRST.asc(), "created_at", "pk")
    list_per_page = 50
    show_full_result_count = False
    actions = ("approve", "reject", "mark_spam", "dismiss_reports")
    readonly_fields = (
        "article",
        "in_reply_to",
        "name",
        "email",
        "body",
        "created_at",
        "edited_at",
        "rule_reasons",
        "fingerprint",
        "user_agent",
        "moderated_by",
        "moderated_at",
        "reply_by",
        "reply_at",
        "follow_up",
        "replies_follow_up",
        "follow_up_confirmed_at",
        "follow_up_mailed_at",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "article",
                    "in_reply_to",
                    "name",
                    "email",
                    "body",
                    "created_at",
                    "edited_at",
                    "status",
                )
            },
        ),
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
                    "replies_follow_up",
                    "follow_up_confirmed_at",
                    "follow_up_mailed_at",
                ),
            },
        ),
    )
    # Shown to moderators only (reviews.moderate_review): what readers reported, the text
    # before an edit or a removal, the reviewer's history, and the tools.
    moderator_fieldsets = (
        (_("Reports from readers"), {"fields": ("reader_reports",)}),
        (_("Earlier texts (moderators only)"), {"fields": ("earlier_texts",)}),
        (_("The reviewer"), {"fields": ("reviewer_history", "moderator_tools")}),
    )
    moderator_fields = ("reader_reports", "earlier_texts", "reviewer_history", "moderator_tools")

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
            .select_related("article", "moderated_by", "parent")
            .defer("article__body", "article__teaser", "parent__body")
            .prefetch_related(
                Prefetch("reports", ReviewReport.objects.open(), to_attr="open_reports")
            )
        )

    def get_list_display(self, request):
        if self.has_moderate_permission(request):
            return self.list_display
        return tuple(column for column in self.list_display if column != "row_actions")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_moderate_permission(request):
            actions.pop("dismiss_reports", None)
        return actions

    def has_add_permission(self, request):
        # Reviews come from readers only.
        return False

    def has_moderate_permission(self, request):
        return request.user.has_perm(MODERATE_PERMISSION)

    def get_readonly_fields(self, request, obj=None):
        fields = (*super().get_readonly_fields(request, obj), *self.moderator_fields)
        withdrawn = obj is not None and obj.status == Review.Status.WITHDRAWN
        if withdrawn or not self.has_moderate_permission(request):
            # A review its author withdrew is never published again by anyone else.
            fields = (*fields, "status")
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and obj.parent_id:
            # The newsroom answers reviews; a reader's reply is answered under the review.
            fieldsets = [entry for entry in fieldsets if "reply" not in entry[1]["fields"]]
        if obj is not None and self.has_moderate_permission(request):
            fieldsets[1:1] = self.moderator_fieldsets
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        # A moderator may set a status, never "withdrawn": that is the author's own.
        form = super().get_form(request, obj, change, **kwargs)
        status = form.base_fields.get("status")
        if status is not None:
            current = obj.status if obj is not None else None
            status.choices = [
                (value, label)
                for value, label in Review.Status.choices
                if value in MODERATOR_STATUSES or value == current
            ]
        return form

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
            '<span class="review-status review-status-{}">{}</span>{}{}',
            obj.status,
            obj.get_status_display(),
            format_html('<ul class="rule-reasons">{}</ul>', reasons) if obj.reasons else "",
            self.open_reports(obj),
        )

    def open_reports(self, obj):
        """Return the count and reasons of *obj*'s open reports (prefetched by the list)."""
        reports = getattr(obj, "open_reports", None)
        if not reports:
            return ""
        reasons = Counter(report.get_reason_display() for report in reports)
        return format_html(
            '<p class="review-reports">{}</p><ul class="rule-reasons">{}</ul>',
            ngettext("Reported %(count)d×:", "Reported %(count)d×:", len(reports))
            % {"count": len(reports)},
            format_html_join(
                "",
                "<li>{} ({})</li>",
                sorted(reasons.items()),
            ),
        )

    @admin.display(description=_("review"))
    def excerpt(self, obj):
        text = Truncator(" ".join(obj.body.split())).chars(120)
        if not obj.parent_id:
            return text
        return format_html(
            '<span class="review-kind">{}</span> {}',
            gettext("Reply to #%(pk)d by %(name)s:")
            % {"pk": obj.parent_id, "name": obj.parent.name},
            text,
        )

    @admin.display(description=_("in reply to"))
    def in_reply_to(self, obj):
        if not obj.parent_id:
            return "–"
        parent = obj.parent
        return format_html(
            '<a href="{}">#{} {}</a> ({})<br><span class="review-quoted">{}</span>',
            reverse("admin:reviews_review_change", args=[parent.pk]),
            parent.pk,
            parent.name,
            parent.get_status_display().lower(),
            Truncator(" ".join(parent.body.split())).chars(300),
        )

    @admin.display(description=_("reports"))
    def reader_reports(self, obj):
        reports = list(obj.reports.select_related("dismissed_by").order_by("created_at", "pk"))
        return render_to_string("admin/reviews/review/_reports.html", {"reports": reports})

    @admin.display(description=_("earlier texts"))
    def earlier_texts(self, obj):
        revisions = list(obj.revisions.select_related("by"))
        return render_to_string("admin/reviews/review/_revisions.html", {"revisions": revisions})

    @admin.display(description=_("history"))
    def reviewer_history(self, obj):
        return render_to_string(
            "admin/reviews/review/_history.html",
            {"history": tools.reviewer_history(obj), "review": obj},
        )

    @admin.display(description=_("tools"))
    def moderator_tools(self, obj):
        return format_html(
            '<a class="button" href="{}">{}</a> <a class="button" href="{}">{}</a>',
            reverse("admin:reviews_review_redact", args=[obj.pk]),
            gettext("Remove a passage"),
            reverse("admin:reviews_review_block", args=[obj.pk]),
            gettext("Block this reviewer"),
        )

    @admin.display(description=_("rule reasons"))
    def rule_reasons(self, obj):
        if not obj.reasons:
            return "–"
        return format_html_join(", ", "{}", ((reason,) for reason in obj.reasons))

    @admin.display(description=_("moderate"))
    def row_actions(self, obj):
        # Buttons of the changelist form itself (formaction): they post its CSRF token to
        # the moderate view, so no form is nested and no JavaScript is needed.
        if obj.status == Review.Status.WITHDRAWN:
            return "–"
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
            path(
                "<int:pk>/redact/",
                self.admin_site.admin_view(self.redact_view),
                name="reviews_review_redact",
            ),
            path(
                "<int:pk>/block/",
                self.admin_site.admin_view(self.block_view),
                name="reviews_review_block",
            ),
            *super().get_urls(),
        ]

    def tool_page(self, request, review, template, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": review,
            **context,
        }
        return TemplateResponse(request, f"admin/reviews/review/{template}", context)

    def moderator_review(self, request, pk) -> Review:
        """Return review *pk* for a moderator's tool; 403 to anyone else."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        return get_object_or_404(Review.objects.select_related("article", "parent"), pk=pk)

    def redact_view(self, request, pk):
        """Remove a passage of a review (GET: the form; POST: apply it), moderators only."""
        review = self.moderator_review(request, pk)
        form = RedactForm(request.POST or None, review=review)
        if request.method == "POST" and form.is_valid():
            try:
                count = tools.review_redact(
                    review=review, passage=form.cleaned_data["passage"], by=request.user
                )
            except tools.PassageNotFound:
                # Changed by someone else meanwhile: say so, with the passage kept.
                form.add_error("passage", gettext("This passage is no longer in the review."))
            else:
                self.message_user(
                    request,
                    ngettext(
                        "The passage was removed (%(count)d place).",
                        "The passage was removed (%(count)d places).",
                        count,
                    )
                    % {"count": count},
                    messages.SUCCESS,
                )
                return redirect("admin:reviews_review_change", review.pk)
        status = 400 if form.is_bound else 200
        response = self.tool_page(
            request, review, "redact.html", form=form, title=gettext("Remove a passage")
        )
        response.status_code = status
        return response

    def block_view(self, request, pk):
        """Block the author of a review (GET: the form; POST: the block), moderators only."""
        review = self.moderator_review(request, pk)
        form = BlockForm(request.POST or None, review=review)
        if request.method == "POST" and form.is_valid():
            block = tools.reviewer_block(
                review=review,
                note=form.cleaned_data["note"],
                expires_at=form.expires_at(),
                by=request.user,
                email=form.cleaned_data["by_email"],
                fingerprint=form.cleaned_data["by_client"],
            )
            self.message_user(
                request,
                gettext("The reviewer is blocked until %(time)s.")
                % {"time": admin_datetime(block.expires_at)},
                messages.SUCCESS,
            )
            return redirect("admin:reviews_review_change", review.pk)
        response = self.tool_page(
            request,
            review,
            "block.html",
            form=form,
            title=gettext("Block this reviewer"),
            history=tools.reviewer_history(review),
        )
        response.status_code = 400 if form.is_bound else 200
        return response

    def moderate_view(self, request, pk, status):
        """Apply one row button: POST only (CSRF-checked by the middleware), moderators only."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        if status not in MODERATOR_STATUSES:
            raise PermissionDenied
        review = get_object_or_404(Review, pk=pk)
        if review_moderate(
            reviews=Review.objects.filter(pk=review.pk), status=status, by=request.user
        ):
            self.message_user(
                request,
                _("Review by %(name)s: %(status)s.")
                % {"name": review.name, "status": Review.Status(status).label.lower()},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _("Review by %(name)s was withdrawn by its author: it stays withdrawn.")
                % {"name": review.name},
                messages.WARNING,
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

    @admin.action(
        permissions=["moderate"], description=_("Dismiss the readers' reports of selected reviews")
    )
    def dismiss_reports(self, request, queryset):
        count = reports_dismiss(
            review_ids=list(queryset.values_list("pk", flat=True)), by=request.user
        )
        self.message_user(
            request,
            ngettext(
                "Reports dismissed on %(count)d review.",
                "Reports dismissed on %(count)d reviews.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

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


@admin.register(ReviewerBlock)
class ReviewerBlockAdmin(admin.ModelAdmin):
    """The blocked reviewers, for moderators: made from a review's page, lifted here."""

    list_display = ("who", "note", "expires_at", "is_active", "created_by", "created_at")
    list_filter = ("expires_at",)
    search_fields = ("email", "note")
    readonly_fields = (
        "email",
        "fingerprint",
        "note",
        "expires_at",
        "created_at",
        "created_by",
        "review",
    )
    actions = ("lift",)

    def has_module_permission(self, request):
        return request.user.has_perm(MODERATE_PERMISSION)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(MODERATE_PERMISSION)

    def has_change_permission(self, request, obj=None):
        # Changed only through the lift action; the form shows the block read-only.
        return request.user.has_perm(MODERATE_PERMISSION)

    def has_add_permission(self, request):
        # Made from one of the reviewer's reviews ("Block this reviewer").
        return False

    def has_delete_permission(self, request, obj=None):
        # Kept, expired, so the reviewer's history shows it.
        return False

    def has_moderate_permission(self, request):
        return request.user.has_perm(MODERATE_PERMISSION)

    @admin.display(description=_("reviewer"), ordering="email")
    def who(self, obj):
        return obj.email or format_html("<code>{}…</code>", obj.fingerprint[:12])

    @admin.display(description=_("active"), boolean=True)
    def is_active(self, obj):
        return obj.is_active()

    @admin.action(permissions=["moderate"], description=_("Lift the selected blocks now"))
    def lift(self, request, queryset):
        lifted = 0
        for block in queryset.active():
            tools.reviewer_unblock(block=block, by=request.user)
            lifted += 1
        self.message_user(
            request,
            ngettext("%(count)d block lifted.", "%(count)d blocks lifted.", lifted)
            % {"count": lifted},
            messages.SUCCESS,
        )


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    fieldsets = (
        (_("Words"), {"fields": ("hold_words", "block_words")}),
        (
            _("Rules"),
            {
                "fields": (
                    "link_threshold",
                    "trusted_auto_approve",
                    "close_after_days",
                    "report_threshold",
                )
            },
        ),
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
