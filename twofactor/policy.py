"""Who needs a second factor, and who has one: the one place the rule is written.

With ``NEWSROOM_2FA_REQUIRED`` on (the default when DEBUG is off), superusers and staff who
may publish stories or manage staff accounts must have a confirmed authenticator app before
any admin page opens for them (``twofactor.middleware``). Anyone else may set one up
voluntarily; once they have, they are asked for its code at every login like everyone.
"""

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.services import PUBLISH_PERMISSION

# Adding or changing accounts can hand out any of the permissions above.
STAFF_MANAGEMENT_PERMISSIONS = ("auth.add_user", "auth.change_user")


def two_factor_required(user) -> bool:
    """Return whether *user* must use a second factor to reach the admin."""
    if not settings.NEWSROOM_2FA_REQUIRED or not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or user.has_perm(PUBLISH_PERMISSION)
        or any(user.has_perm(permission) for permission in STAFF_MANAGEMENT_PERMISSIONS)
    )


def has_second_factor(user) -> bool:
    """Return whether *user* has a confirmed authenticator app (backup codes come with it)."""
    if not user.is_authenticated:
        return False
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
