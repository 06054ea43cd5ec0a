"""Partner keys in the admin: Editors issue, scope and revoke them; the key is shown once."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from api.models import ApiKey
from api.services import api_key_create, api_keys_revoke
from audit.admin import AuditedDeletionsMixin


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=ApiKey.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Without a scope, a key reads what every reader sees."),
    )
    revoke = forms.BooleanField(
        label=_("revoke this key"),
        required=False,
        help_text=_(
            "Its next request is refused (401). A revoked key cannot be restored: issue a new one."
        ),
    )

    class Meta:
        model = ApiKey
        fields = ("name", "scopes", "expires_at")

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        if self.instance.pk is None and expires_at <= timezone.now():
            raise forms.ValidationError(_("A new key must work for a while: choose a later time."))
        return expires_at


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedDeletionsMixin, admin.ModelAdmin):
    form = ApiKeyForm
    list_display = (
        "name",
        "masked",
        "scope_list",
        "state",
        "expires_at",
        "last_used_at",
        "use_count",
    )
    search_fields = ("name", "prefix")
    date_hierarchy = "created_at"
    actions = ("revoke_selected",)
    readonly_fields = (
        "masked",
        "created_at",
        "created_by",
        "last_used_at",
        "use_count",
        "revoked_at",
        "revoked_by",
    )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "scopes", "expires_at")
        fields = [
            "name",
            "masked",
            "scopes",
            "expires_at",
            "created_at",
            "created_by",
            "last_used_at",
            "use_count",
        ]
        return [*fields, "revoked_at", "revoked_by"] if obj.revoked_at else [*fields, "revoke"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.revoked_at:
            # A revoked key is a record: nothing about it changes any more.
            return self.get_fields(request, obj)
        return self.readonly_fields

    @admin.display(description=_("key"))
    def masked(self, obj):
        return obj.masked

    @admin.display(description=_("scopes"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes or []) or "–"

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.revoked_at:
            return gettext("revoked")
        if not obj.is_active(timezone.now()):
            return gettext("expired")
        return gettext("active")

    def save_model(self, request, obj, form, change):
        if not change:
            # Kept on the object for response_add, which shows it; stored nowhere.
            obj._issued_token = api_key_create(key=obj, by=request.user)
            return
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("revoke"):
            api_keys_revoke(queryset=ApiKey.objects.filter(pk=obj.pk), by=request.user)

    def response_add(self, request, obj, post_url_continue=None):
        token = getattr(obj, "_issued_token", None)
        if token is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("API key created"),
            "key": obj,
            "token": token,
            "change_url": reverse("admin:api_apikey_change", args=[obj.pk]),
        }
        response = TemplateResponse(request, "api/admin/key_issued.html", context)
        # The key appears only here: no cache may keep the page, no link may carry it away.
        add_never_cache_headers(response)
        response["Referrer-Policy"] = "no-referrer"
        return response

    @admin.action(permissions=["change"], description=_("Revoke selected API keys"))
    def revoke_selected(self, request, queryset):
        count = api_keys_revoke(queryset=queryset, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d key was revoked: its next request is refused.",
                "%(count)d keys were revoked: their next requests are refused.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
