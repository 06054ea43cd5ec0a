"""Each editor's own admin language (``AdminPreferences``), and the middleware that speaks it.

Reader pages take their language from their address alone (``serving.middleware
.LanguageMiddleware``). The admin is private, never cached, and each editor's own: there the
language is the one the editor chose on their preferences page, else what their browser asks
for (``Accept-Language``), else the site's default. The login page (nobody logged in yet)
follows the browser.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from accounts.models import AdminPreferences


def chosen_language(user) -> str:
    """Return the admin language *user* chose, or "" for "as my browser says"."""
    if not getattr(user, "is_authenticated", False):
        return ""
    language = AdminPreferences.objects.filter(user=user).values_list("language", flat=True).first()
    return language if language in dict(settings.LANGUAGES) else ""


def admin_language(request) -> tuple[str, bool]:
    """Return the language of *request*'s admin page, and whether the browser chose it."""
    chosen = chosen_language(request.user)
    if chosen:
        return chosen, False
    return translation.get_language_from_request(request, check_path=False), True


class AdminLanguageMiddleware:
    """Speak each editor's own language on the admin's pages (see the module).

    After ``AuthenticationMiddleware`` (it reads the user), and after the reader pages'
    ``LanguageMiddleware``, whose choice it replaces under the admin's address only.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(reverse("admin:index")):
            return self.get_response(request)
        language, from_browser = admin_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if from_browser:
            patch_vary_headers(response, ("Accept-Language",))
        return response
