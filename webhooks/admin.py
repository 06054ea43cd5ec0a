"""Webhooks in the admin: endpoints (with their secret), deliveries and events.

Editors (webhooks/migrations/0002_roles.py) register endpoints, rotate their secrets, send
them test events and send deliveries again; everyone else is refused (403). Deliveries and
events are records of what happened: nobody edits them, and deliveries go only with their
endpoint, deleted by whoever may delete it.
"""

import json

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from audit import log
from audit.admin import AuditedDeletionsMixin
from serving.dates import admin_datetime
from webhooks import services
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, Endpoint, Event, EventType

STATUS_SYMBOLS = {
    Delivery.Status.PENDING: "…",
    Delivery.Status.SUCCEEDED: "✓",
    Delivery.Status.FAILED: "✗",
}


def when(moment) -> str:
    return admin_datetime(moment, empty="-")


def grace_hours() -> int:
    return round(services.ROTATION_GRACE.total_seconds() / 3600)


@admin.register(Endpoint)
class EndpointAdmin(AuditedDeletionsMixin, admin.ModelAdmin):
    form = EndpointForm
    change_form_template = "admin/webhooks/endpoint/change_form.html"
    list_display = ("__str__", "url", "subscribed", "active", "last_delivery", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "description")
    readonly_fields = (
        "signing_secret",
        "previous_secret_until",
        "disabled_reason",
        "created_by",
        "created_at",
        "updated_at",
    )

    def get_fieldsets(self, request, obj=None):
        main = (None, {"fields": ("url", "description", "events", "active")})
        if obj is None:
            return (main,)
        if obj.disabled_reason:
            # Switched off by the system (a 410 Gone): say why next to the switch.
            main = (None, {"fields": ("url", "description", "events", "active", "disabled_reason")})
        return (
            main,
            (
                _("Signing"),
                {
                    "fields": ("signing_secret", "previous_secret_until"),
                    "description": gettext(
                        "Give the secret to the receiver's owners: with it, their endpoint "
                        "checks the webhook-signature header of every delivery (Standard "
                        "Webhooks). Rotate it if it may have leaked: each secret it replaces "
                        "signs beside it for %(hours)d hours, so the receiver can switch in "
                        "time."
                    )
                    % {"hours": grace_hours()},
                },
            ),
            (
                _("Advanced"),
                {
                    "classes": ("collapse",),
                    "fields": ("created_by", "created_at", "updated_at"),
                },
            ),
        )

    def get_queryset(self, request):
        latest = Delivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-pk")
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_status=Subquery(latest.values("status")[:1]),
                last_at=Subquery(latest.values("created_at")[:1]),
            )
        )

    @admin.display(description=_("events"))
    def subscribed(self, obj):
        return ", ".join(obj.events) or "-"

    @admin.display(description=_("last delivery"))
    def last_delivery(self, obj):
        if obj.last_status is None:
            return "-"
        url = reverse("admin:webhooks_delivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        return format_html(
            '<a href="{}">{} {}, {}</a>',
            url,
            STATUS_SYMBOLS.get(obj.last_status, ""),
            Delivery.Status(obj.last_status).label,
            when(obj.last_at),
        )

    @admin.display(description=_("signing secret"))
    def signing_secret(self, obj):
        return format_html("<code>{}</code>", obj.secret)

    @admin.display(description=_("replaced secrets"))
    def previous_secret_until(self, obj):
        earlier = obj.earlier_secrets()
        if not earlier:
            return "-"
        return format_html_join(
            "",
            "<div>{}</div>",
            (
                (
                    gettext("One still signs beside the current one until %(time)s.")
                    % {"time": when(until)},
                )
                for _secret, until in earlier
            ),
        )

    def get_deleted_objects(self, objs, request):
        # An endpoint's deliveries are its own records (nobody may delete one alone): whoever
        # may delete the endpoint deletes them with it.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        own = str(Delivery._meta.verbose_name)
        perms_needed = {name for name in perms_needed if str(name) != own}
        return deleted, counts, perms_needed, protected

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"rotation_grace_hours": grace_hours()}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        if "active" in form.changed_data and obj.active:
            obj.disabled_reason = ""
        super().save_model(request, obj, form, change)
        if not change:
            services.endpoint_audit_entry(obj, by=request.user, action=log.Action.CREATED)
        elif form.changed_data:
            services.endpoint_audit_entry(
                obj,
                by=request.user,
                action=log.Action.EDITED,
                details={"fields": form.changed_data},
            )

    # -- Rotate the secret, send a test event: buttons of the change form ----------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/rotate-secret/",
                self.admin_site.admin_view(self.rotate_secret_view),
                name="webhooks_endpoint_rotate_secret",
            ),
            path(
                "<path:object_id>/send-test/",
                self.admin_site.admin_view(self.send_test_view),
                name="webhooks_endpoint_send_test",
            ),
            *super().get_urls(),
        ]

    def _endpoint_to_change(self, request, object_id) -> Endpoint:
        endpoint = self.get_object(request, unquote(object_id))
        if endpoint is None:
            raise Http404(gettext("No such webhook endpoint."))
        if not self.has_change_permission(request, endpoint):
            raise PermissionDenied
        return endpoint

    def _back(self, endpoint):
        return HttpResponseRedirect(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))

    def rotate_secret_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        endpoint = self._endpoint_to_change(request, object_id)
        try:
            until = services.endpoint_rotate_secret(endpoint=endpoint, by=request.user)
        except services.RotationRefused as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return self._back(endpoint)
        self.message_user(
            request,
            gettext(
                "The endpoint has a new secret. The one it replaced signs beside it until "
                "%(time)s: give the new one to the receiver before then."
            )
            % {"time": when(until)},
            messages.SUCCESS,
        )
        return self._back(endpoint)

    def send_test_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        endpoint = self._endpoint_to_change(request, object_id)
        event = services.endpoint_send_test(endpoint=endpoint)
        delivery = event.deliveries.get()
        self.message_user(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                gettext("A test event is on its way."),
                reverse("admin:webhooks_delivery_change", args=[delivery.pk]),
                gettext("See its delivery."),
            ),
            messages.SUCCESS,
        )
        return self._back(endpoint)


class EventTypeFilter(admin.SimpleListFilter):
    title = _("event type")
    parameter_name = "type"

    def lookups(self, request, model_admin):
        return [(event_type.value, event_type.value) for event_type in EventType]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(event__type=self.value())


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    change_form_template = "admin/webhooks/delivery/change_form.html"
    list_display = (
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_attempt_at",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("status", EventTypeFilter, "endpoint")
    list_select_related = ("event", "endpoint")
    search_fields = ("event__message_id", "endpoint__url", "endpoint__description")
    search_help_text = _("Search by webhook-id or endpoint.")
    date_hierarchy = "created_at"
    actions = ("send_again",)
    fields = (
        "endpoint",
        "event_link",
        "webhook_id",
        "status",
        "attempts",
        "last_attempt_at",
        "last_duration_ms",
        "last_status_code",
        "last_error",
        "attempt_started_at",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("event"), ordering="event__type")
    def event_type(self, obj):
        return obj.event.type

    @admin.display(description=_("event"))
    def event_link(self, obj):
        url = reverse("admin:webhooks_event_change", args=[obj.event_id])
        return format_html('<a href="{}">{}</a>', url, obj.event.type)

    @admin.display(description=_("webhook-id"))
    def webhook_id(self, obj):
        return obj.event.message_id

    def has_resend_permission(self, request, obj=None):
        return request.user.has_perm("webhooks.resend_delivery")

    @admin.action(permissions=["resend"], description=_("Send selected deliveries again"))
    def send_again(self, request, queryset):
        self._send_again(request, queryset)

    def _send_again(self, request, queryset):
        queued, skipped = services.deliveries_send_again(queryset=queryset)
        if queued:
            self.message_user(
                request,
                ngettext(
                    "%(count)d delivery queued again.",
                    "%(count)d deliveries queued again.",
                    queued,
                )
                % {"count": queued},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d delivery was not queued: its endpoint is switched off, or it "
                    "is being sent right now.",
                    "%(count)d deliveries were not queued: their endpoint is switched off, or "
                    "they are being sent right now.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"may_resend": self.has_resend_permission(request)}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def get_urls(self):
        return [
            path(
                "<path:object_id>/send-again/",
                self.admin_site.admin_view(self.send_again_view),
                name="webhooks_delivery_send_again",
            ),
            *super().get_urls(),
        ]

    def send_again_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        delivery = self.get_object(request, unquote(object_id))
        if delivery is None:
            raise Http404(gettext("No such webhook delivery."))
        if not self.has_resend_permission(request, delivery):
            raise PermissionDenied
        self._send_again(request, Delivery.objects.filter(pk=delivery.pk))
        return HttpResponseRedirect(reverse("admin:webhooks_delivery_change", args=[delivery.pk]))


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ("endpoint", "status", "attempts", "last_status_code", "last_attempt_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("type", "message_id", "created_at")
    list_filter = ("type",)
    search_fields = ("message_id", "key")
    date_hierarchy = "created_at"
    fields = ("type", "message_id", "key", "created_at", "payload")
    readonly_fields = fields
    inlines = (DeliveryInline,)

    @admin.display(description=_("body"))
    def payload(self, obj):
        try:
            text = json.dumps(json.loads(obj.body), indent=2, ensure_ascii=False)
        except ValueError:
            text = obj.body
        return format_html("<pre>{}</pre>", text)
