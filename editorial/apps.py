from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = _("Editorial")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Stories sent to review: their send-back notes are resolved, the editors emailed.
        from editorial import receivers

        receivers.connect()
