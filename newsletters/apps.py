from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewslettersConfig(AppConfig):
    name = "newsletters"
    verbose_name = _("Newsletters")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from newsletters import demo, personal_data, tasks
        from worker.supervision import register_periodic

        # Each job decides for itself whether anything is due, so a late or repeated run is
        # harmless (register_periodic's promise).
        register_periodic(tasks.start_due_digests, every=timedelta(minutes=5))
        register_periodic(tasks.resume_stalled_sends, every=timedelta(minutes=1))
        register_periodic(tasks.forget_unconfirmed_subscribers, every=timedelta(hours=6))
        register_periodic(tasks.prune_deliveries, every=timedelta(days=1))
        # `seed_demo` adds confirmed demo subscribers, so the admin's lists show counts.
        demo.connect()
        # A deleted subscriber's address leaves their deliveries' error texts too.
        personal_data.connect()
