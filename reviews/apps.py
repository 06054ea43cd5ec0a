from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Approved reviews show on their story's cached page: changes make it stale.
        from reviews import page_changes

        page_changes.connect()
