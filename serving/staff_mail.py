"""Email to the newsroom's own people, each in the language they chose for the admin.

Each editor picks the admin's language (``accounts.AdminPreferences``); what the newsroom
emails its staff (stories waiting for review or sent back, reviews waiting for moderation)
goes out in it. An address that is nobody's account (``MODERATOR_EMAILS``), or an account
that chose "as my browser says", gets the site's default language: an email has no browser
to ask.

The choice is read through the user model's ``admin_preferences`` relation, so that the
apps that email staff need not import ``accounts``, which sits above them.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import translation


def by_admin_language(emails: list[str]) -> dict[str, list[str]]:
    """Return *emails* grouped by the admin language of their accounts, in their order."""
    offered = dict(settings.LANGUAGES)
    chosen = {}
    accounts = get_user_model()._default_manager.filter(email__in=emails, is_active=True)
    for email, language in accounts.values_list("email", "admin_preferences__language"):
        if language in offered:
            chosen.setdefault(email, language)
    groups = {}
    for email in emails:
        groups.setdefault(chosen.get(email, settings.LANGUAGE_CODE), []).append(email)
    return groups


def in_admin_languages(template: str, context: dict, emails: list[str]):
    """Yield (subject, body, addresses): *template*'s ``_subject.txt`` and ``.txt`` rendered
    once per admin language of *emails*, activated here (the worker sends outside any page)."""
    for language, addresses in by_admin_language(emails).items():
        with translation.override(language):
            subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
            body = render_to_string(f"{template}.txt", context)
        yield subject, body, addresses
