from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    name = "twofactor"
    verbose_name = _("Two-factor authentication")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # A password alone ends the failed-login count only for staff with no second factor;
        # the others' ends with their code (twofactor.lockout). And a check that axes'
        # own reset on the password is not turned back on.
        from twofactor import checks, lockout  # noqa: F401

        lockout.connect()
