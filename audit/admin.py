"""The audit log in the admin: readable by editors, append-only for everyone but superusers."""

from django.contrib import admin
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry

STORY_CHOICES = 30


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
        if details.get("fields"):
            parts.append(gettext("fields: %s") % ", ".join(details["fields"]))
        if details.get("reason"):
            parts.append(details["reason"])
        if details.get("expires_at"):
            parts.append(gettext("expires %s") % details["expires_at"][:16].replace("T", " "))
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
