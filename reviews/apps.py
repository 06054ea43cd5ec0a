from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Approved reviews show on their story's cached page: changes make it stale.
        from reviews import demo, page_changes, tasks
        from worker.supervision import register_periodic

        page_changes.connect()
        # `seed_demo` shows a conversation: replies, the newsroom's reply, an edited review.
        demo.connect()
        # What cron used to do: the worker enqueues these; each decides whether mail is due.
        register_periodic(tasks.send_moderation_digest, every=timedelta(minutes=15))
        register_periodic(tasks.announce_waiting_reviews, every=timedelta(minutes=10))
