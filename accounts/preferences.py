"""The editor's preferences page in the admin: /admin/preferences/language/."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.models import AdminPreferences

BROWSER = ""


class AdminLanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Admin language"),
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "The language of the admin's pages for you. The site's pages keep the language "
            "of their address."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            (BROWSER, _("As my browser says")),
            *settings.LANGUAGES,
        ]


@require_http_methods(["GET", "POST"])
def language_preference(request):
    """Show (GET) and save (POST) the admin language of the logged-in team member."""
    preferences = AdminPreferences.objects.filter(user=request.user).first()
    current = preferences.language if preferences else BROWSER
    form = AdminLanguageForm(
        request.POST if request.method == "POST" else None, initial={"language": current}
    )
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        AdminPreferences.objects.update_or_create(
            user=request.user, defaults={"language": language}
        )
        # Said in the language the next page will speak.
        shown = language or translation.get_language_from_request(request, check_path=False)
        with translation.override(shown):
            if language:
                message = gettext("Your admin pages are now in %(language)s.") % {
                    "language": dict(settings.LANGUAGES)[language]
                }
            else:
                message = gettext("Your admin pages now follow your browser's language.")
            messages.success(request, message)
        return redirect("admin_language_preference")
    context = {
        **admin.site.each_context(request),
        "title": gettext("Admin language"),
        "form": form,
    }
    return TemplateResponse(request, "accounts/language_preference.html", context)
