"""The team's email: invitations and password resets, sent by the worker (``accounts.tasks``).

Every link is built on the site's one configured origin (``serving.origin``), never on the
host name of the request that asked for it: a forged ``Host`` cannot put an attacker's
address into a reset email.
"""

import logging
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import limits
from accounts.languages import chosen_language
from accounts.tokens import invitation_token_generator
from serving.origin import absolute_url

logger = logging.getLogger("newsroom.accounts")


def invitation_pending(user) -> bool:
    """Return whether *user* was invited and has not set a password yet."""
    return user.is_active and not user.has_usable_password() and user.last_login is None


def link_arguments(user, token_generator) -> dict:
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": token_generator.make_token(user),
    }


def invitation_url(user) -> str:
    return absolute_url(
        reverse("admin_welcome", kwargs=link_arguments(user, invitation_token_generator))
    )


def password_reset_url(user) -> str:
    return absolute_url(
        reverse(
            "admin_password_reset_confirm",
            kwargs=link_arguments(user, default_token_generator),
        )
    )


def _send(user, template: str, context: dict) -> bool:
    context = {
        **context,
        "user": user,
        "username": user.get_username(),
        "site_name": settings.NEWSROOM_SITE_NAME,
        "login_url": absolute_url(reverse("admin:login")),
    }
    # In the admin language the person chose, else the site's default, activated here: the
    # worker sends it, outside any page, and an email has no browser to ask.
    with translation.override(chosen_language(user) or settings.LANGUAGE_CODE):
        subject = " ".join(
            render_to_string(f"accounts/email/{template}_subject.txt", context).split()
        )
        body = render_to_string(f"accounts/email/{template}.txt", context)
    # Transactional mail: no out-of-office replies, please.
    message = EmailMessage(
        subject, body, to=[user.email], headers={"Auto-Submitted": "auto-generated"}
    )
    try:
        message.send()
    except Exception:
        logger.exception("Could not send the %s email to user %s.", template, user.pk)
        return False
    return True


def send_invitation(user_id: int, inviter: str = "") -> bool:
    """Email *user_id* the link that sets their first password; return whether it was sent.

    Nothing is sent once the invitation is no longer pending (a password was set, the
    account was deactivated) or when the account has no address.
    """
    user = get_user_model()._default_manager.filter(pk=user_id).first()
    if user is None or not invitation_pending(user) or not user.email:
        return False
    roles = sorted(user.groups.values_list("name", flat=True))
    context = {
        "url": invitation_url(user),
        "days": settings.NEWSROOM_INVITATION_DAYS,
        "inviter": inviter,
        "roles": roles,
    }
    return _send(user, "invitation", context)


def same_address(first: str, second: str) -> bool:
    """Return whether two email addresses are the same, compared as Django's reset compares."""

    def folded(value: str) -> str:
        return unicodedata.normalize("NFKC", value).casefold()

    return folded(first) == folded(second)


def password_reset_recipients(email: str) -> list:
    """Return the accounts a password reset for *email* goes to.

    Active staff accounts with that address and a password, as Django's reset does; and also
    those still waiting on their invitation (no password yet, never logged in), so that
    someone who lost the invitation email can help themselves. An account whose password a
    superuser turned off after it was in use gets nothing: that was someone's decision.
    """
    users = get_user_model()._default_manager.filter(
        email__iexact=email, is_active=True, is_staff=True
    )
    return [
        user
        for user in users
        if same_address(email, user.email)
        and (user.has_usable_password() or user.last_login is None)
    ]


def send_password_resets(email: str) -> int:
    """Email a password reset link to every account of *email* (see above); return how many.

    At most ``PASSWORD_RESET_RATE_LIMIT_COUNT`` a period per account, whoever asks.
    """
    sent = 0
    for user in password_reset_recipients(email):
        if not limits.hit(limits.account_of(user)).allowed:
            logger.warning("Password reset for user %s not sent: too many asked for.", user.pk)
            continue
        context = {
            "url": password_reset_url(user),
            "hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
        }
        sent += _send(user, "password_reset", context)
    return sent
