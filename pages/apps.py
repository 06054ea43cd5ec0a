from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = _("Pages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Pages are cached whole like every reader page; a save tells the page cache which.
        from pages import page_changes

        page_changes.connect()

        # `seed_demo` adds the demo newsroom's About and Contact pages.
        from pages import demo

        demo.connect()
