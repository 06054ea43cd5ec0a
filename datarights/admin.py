"""*Readers' data* in the admin: a moderator looks up an address, downloads it, erases it.

For a reader who writes to the newsroom instead of using "Your data". Only holders of
``datarights.handle_reader_data`` (the Moderators role, superusers) get the page; everyone
else gets 403, and the admin's login first. Every step is a POST, so no address is ever in an
address bar, a server log or the browser's history; looking up, downloading and erasing are
audited with who, when, the keyed hash of the address and the counts, never the address.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from datarights import services
from datarights.forms import AddressForm
from datarights.inventory import address_hash, inventory_for
from datarights.models import ReaderData
from reviews.personal_data import ANONYMISE

PERMISSION = "datarights.handle_reader_data"
LOOK, DOWNLOAD, CONFIRM, ERASE = "look", "download", "confirm", "erase"


@admin.register(ReaderData)
class ReaderDataAdmin(admin.ModelAdmin):
    """One page instead of a list: the form, then what is held, then the confirmation."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.has_perm(PERMISSION)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view(self.lookup_view)
        return [path("", view, name="{}_{}_changelist".format(*info))]

    def lookup_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        step = request.POST.get("step", LOOK) if request.method == "POST" else None
        form = AddressForm(request.POST if step else None, label=_("The reader's email address"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Readers' data"),
            "form": form,
            "anonymise": services.erasure_mode() == ANONYMISE,
        }
        if not step or not form.is_valid():
            return self.page(request, "lookup.html", context, status=400 if step else 200)
        email = form.cleaned_data["email"]
        context.update(email=email, address_hash=address_hash(email)[:12])
        if step == DOWNLOAD:
            response = JsonResponse(
                services.data_export(email=email, by=request.user),
                json_dumps_params={"indent": 2},
            )
            filename = f"reader-data-{timezone.localdate():%Y-%m-%d}.json"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        if step == ERASE:
            context["done"] = services.data_erase(email=email, by=request.user)
            return self.page(request, "erased.html", context)
        if step == CONFIRM:
            # The same reader as the look-up just audited: shown again, not looked up again.
            context["inventory"] = inventory_for(email)
            context["erasure"] = services.erasure_preview(email=email)
            return self.page(request, "confirm_erase.html", context)
        context["inventory"] = services.data_look_up(email=email, by=request.user)
        return self.page(request, "lookup.html", context)

    def page(self, request, template: str, context: dict, *, status: int = 200):
        return TemplateResponse(request, f"datarights/admin/{template}", context, status=status)
