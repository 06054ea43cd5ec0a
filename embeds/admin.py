from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from embeds.models import Embed
from embeds.services import fetch_embed


@admin.register(Embed)
class EmbedAdmin(admin.ModelAdmin):
    list_display = ("url", "provider", "status", "title", "fetched_at")
    list_filter = ("provider", "status")
    search_fields = ("url", "title")
    date_hierarchy = "fetched_at"
    actions = ("fetch_again",)
    # An address pasted without a scheme is a web page today: https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # Everything but the address comes from the provider: fetch again to change it.
    readonly_fields = (
        "provider",
        "status",
        "error",
        "title",
        "author_name",
        "frame_url",
        "width",
        "height",
        "thumbnail",
        "thumbnail_width",
        "thumbnail_height",
        "thumbnail_renditions",
        "fetched_at",
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or "url" in form.changed_data:
            fetched = fetch_embed(obj.url, force=True)
            if not fetched.is_playable():
                messages.warning(
                    request,
                    _("Readers will see a plain link: %(reason)s")
                    % {"reason": fetched.error or fetched.get_status_display()},
                )

    @admin.action(description=_("Fetch again"), permissions=["change"])
    def fetch_again(self, request, queryset):
        fetched = [fetch_embed(embed.url, force=True) for embed in queryset]
        playable = sum(embed.is_playable() for embed in fetched)
        self.message_user(
            request,
            ngettext(
                "%(playable)d of %(count)d embed fetched again can be played.",
                "%(playable)d of %(count)d embeds fetched again can be played.",
                len(fetched),
            )
            % {"playable": playable, "count": len(fetched)},
            messages.SUCCESS if playable == len(fetched) else messages.WARNING,
        )
