from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatarightsConfig(AppConfig):
    name = "datarights"
    verbose_name = _("Readers' data")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from datarights import tasks
        from worker.supervision import register_periodic

        # Both look for what is due themselves, so a late or repeated run is harmless.
        register_periodic(tasks.erase_old_fingerprints, every=timedelta(hours=6))
        register_periodic(tasks.forget_expired_requests, every=timedelta(minutes=15))
