from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = _("Editorial")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Quiet hours open and close the review form by the clock, with no write to announce
        # it: cached story pages must turn stale at each boundary.
        from newsroom import pagecache
        from reviews.moderation import next_review_window_change

        pagecache.register_clock(next_review_window_change)
