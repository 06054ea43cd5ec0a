from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ReadershipConfig(AppConfig):
    name = "readership"
    verbose_name = _("Readership")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Reads are counted in the shared cache; the worker moves them to the database.
        from readership import demo, tasks
        from worker.supervision import register_periodic

        register_periodic(
            tasks.flush_reads, every=timedelta(seconds=settings.NEWSROOM_READS_FLUSH_SECONDS)
        )
        # `seed_demo` gives the demo stories plausible reads, so "Most read" shows at once.
        demo.connect()
