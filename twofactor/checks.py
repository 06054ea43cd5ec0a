"""System check: axes must not forget failed codes on a correct password (twofactor.lockout)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def failed_codes_survive_the_password(app_configs, **kwargs):
    if getattr(settings, "AXES_RESET_ON_SUCCESS", False):
        return [
            Error(
                "AXES_RESET_ON_SUCCESS is on: a correct password would forget the failed "
                "second-factor codes, and codes could be guessed without a lockout.",
                hint="Set AXES_RESET_ON_SUCCESS = False; twofactor.lockout starts the count "
                "again once a login is complete.",
                id="twofactor.E001",
            )
        ]
    return []
