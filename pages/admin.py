"""Pages in the admin: editors add, change and delete them (``pages/migrations/0002``).

Authors and moderators have no page permission, so the admin refuses them (403). Every
save and deletion is in the audit log.
"""

from django.contrib import admin

from audit import log
from audit.admin import AuditedDeletionsMixin
from pages.forms import PageAdminForm
from pages.models import Page


@admin.register(Page)
class PageAdmin(AuditedDeletionsMixin, admin.ModelAdmin):
    form = PageAdminForm
    list_display = ("title", "slug", "language", "in_footer", "position", "updated_at")
    list_filter = ("language", "in_footer")
    list_editable = ("in_footer", "position")
    prepopulated_fields = {"slug": ("title",)}
    search_fields = ("title", "slug", "body")
    readonly_fields = ("updated_at",)
    fields = (
        "title",
        "slug",
        "language",
        "translation_of",
        "body",
        "in_footer",
        "position",
        "updated_at",
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        log.record(
            log.Action.EDITED if change else log.Action.CREATED,
            actor=request.user,
            obj=obj,
            details={"model": obj._meta.label_lower, "id": obj.pk, "fields": form.changed_data},
        )
