from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Stories")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Every save of a story keeps a version (admin "History", with revert).
        from articles.history import register_article_history

        register_article_history()

        # Renamed stories, regions, rubrics, tags and authors keep their old addresses alive.
        from articles.redirects import connect_slug_redirects

        connect_slug_redirects()
