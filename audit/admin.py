"""The audit log in the admin: readable by editors, append-only for everyone but superusers."""

from datetime import datetime

from django.apps import apps
from django.contrib import admin
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit import log
from audit.models import AuditEntry
from serving.dates import admin_datetime

STORY_CHOICES = 30


class AuditedDeletionsMixin:
    """Record who deleted what from a model admin: one entry per object, in bulk too.

    Mixed into the admins of everything a newsroom would want to trace after the fact
    (reviews, regions, rubrics, authors, tags, preview links, redirects).
    ``audit_story_field`` names the foreign key to the story an object belongs to, so that
    the log's story filter finds its deletion too.
    """

    audit_story_field = None

    def deletion_entry(self, request, obj) -> AuditEntry:
        story = getattr(obj, self.audit_story_field) if self.audit_story_field else None
        return log.entry(
            log.Action.DELETED,
            actor=request.user,
            story=story,
            obj=obj,
            details={"model": obj._meta.label_lower, "id": obj.pk},
        )

    def delete_model(self, request, obj):
        log.record_many([self.deletion_entry(request, obj)])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if self.audit_story_field:
            queryset = queryset.select_related(self.audit_story_field)
        log.record_many(self.deletion_entry(request, obj) for obj in queryset)
        super().delete_queryset(request, queryset)


def model_name(label: str) -> str:
    """Return the verbose name of the model *label* ("reviews.review" → "review")."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def logged_time(value) -> str:
    """Return a time the log's details hold (ISO 8601, UTC) as the admin writes times."""
    try:
        return admin_datetime(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


def is_story_id(value: str | None) -> bool:
    # isdecimal(), not isdigit(): "²" is a digit that int() refuses, which the lookup would
    # raise as a server error.
    return bool(value) and value.isdecimal()


class StoryFilter(admin.SimpleListFilter):
    """Filter by story: the most recently logged stories, or any story by ``?story=<id>``.

    Stories are named by the title their latest entry recorded: the log needs no story table.
    """

    title = _("story")
    parameter_name = "story"

    def lookups(self, request, model_admin):
        latest_title = (
            AuditEntry.objects.filter(story_id=OuterRef("story_id"))
            .order_by("-at", "-pk")
            .values("story_title")[:1]
        )
        logged = (
            AuditEntry.objects.filter(story__isnull=False)
            .values("story_id")
            .annotate(last=Max("at"), title=Subquery(latest_title))
        )
        choices = [
            (str(row["story_id"]), self.label(row["title"]))
            for row in logged.order_by("-last")[:STORY_CHOICES]
        ]
        selected = self.value()
        if is_story_id(selected) and selected not in {pk for pk, _label in choices}:
            chosen = logged.filter(story_id=selected).first()
            if chosen is not None:
                choices.insert(0, (selected, self.label(chosen["title"])))
        return choices

    @staticmethod
    def label(title: str) -> str:
        return Truncator(title).chars(60)

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not is_story_id(value):
            return queryset.none()
        return queryset.filter(story_id=value)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log: readable by editors, append-only for everyone but superusers."""

    list_display = ("at", "who", "action", "story_link", "object_repr", "summary")
    list_filter = ("action", ("actor", admin.RelatedOnlyFieldListFilter), StoryFilter, "at")
    search_fields = ("story_title", "object_repr", "actor_name")
    search_help_text = _("Search in story titles, objects and user names.")
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False
    readonly_fields = (
        "at",
        "actor",
        "actor_name",
        "action",
        "story",
        "story_title",
        "object_repr",
        "details",
    )

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ()
        return self.readonly_fields

    @admin.display(description=_("by"), ordering="actor_name")
    def who(self, obj):
        return obj.actor_name or gettext("system")

    @admin.display(description=_("story"), ordering="story_title")
    def story_link(self, obj):
        if obj.story_id is None:
            return obj.story_title or "–"
        url = reverse("admin:audit_auditentry_changelist") + f"?story={obj.story_id}"
        return format_html('<a href="{}">{}</a>', url, Truncator(obj.story_title).chars(60))

    @admin.display(description=_("details"))
    def summary(self, obj):
        details = obj.details or {}
        parts = []
        if details.get("model"):
            parts.append(model_name(details["model"]))
        if details.get("fields"):
            parts.append(gettext("fields: %s") % ", ".join(details["fields"]))
        if details.get("reason"):
            parts.append(details["reason"])
        if details.get("expires_at"):
            parts.append(gettext("expires %s") % logged_time(details["expires_at"]))
        if details.get("bulk"):
            parts.append(gettext("bulk action"))
        for name, change in (details.get("changes") or {}).items():
            if "added" in change:
                parts.append(
                    f"{name}: +{', '.join(change['added']) or '–'} "
                    f"−{', '.join(change['removed']) or '–'}"
                )
            else:
                parts.append(f"{name}: {change.get('from')} → {change.get('to')}")
        return "; ".join(parts) or "–"
