from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Changes to stories and reviews queue the looks that tell endpoints about them.
        from webhooks import delivery, receivers, story_events
        from worker.supervision import register_periodic

        receivers.connect()
        # Scheduled stories whose time came with no look queued (see webhooks.story_events).
        register_periodic(
            story_events.sweep, every=timedelta(seconds=settings.WEBHOOK_SWEEP_SECONDS)
        )
        # Deliveries whose task died with its attempt: every delivery ends succeeded or failed.
        register_periodic(delivery.rescue, every=timedelta(seconds=settings.WEBHOOK_RESCUE_SECONDS))
        register_periodic(delivery.prune, every=timedelta(days=1))
