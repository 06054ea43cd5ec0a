import hashlib

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import pre_save
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

        # Reader pages are cached whole; changes tell the page cache which pages they touch,
        # and scheduled stories which pages they join at their moment.
        from articles import page_changes
        from pagecache.invalidation import register_clock

        page_changes.connect()
        register_clock(page_changes.scheduled_publications)
        register_clock(page_changes.scheduled_expiries)

        # Scheduled edits are applied by the worker at their time; this catches lost ones.
        from articles import scheduled_edits
        from worker.supervision import register_periodic

        register_periodic(scheduled_edits.apply_due_edits, every=scheduled_edits.SWEEP_EVERY)

        # The library images a story's text shows are recorded (and so protected) on save.
        from articles import body_images

        body_images.connect()

        # A tag takes the language of the first story that carries it.
        from articles import translations

        translations.connect()

        # SQLite's word search compares text casefolded in every alphabet, not only ASCII.
        from articles.search import add_sqlite_functions

        connection_created.connect(add_sqlite_functions)

        # A tag named only with symbols or emoji would get an empty slug: no address at all.
        from taggit.models import Tag

        pre_save.connect(give_tag_a_slug, sender=Tag)


def give_tag_a_slug(sender, instance, **kwargs):
    """Give a tag whose name has no letters or digits a stable slug made from its name."""
    if not instance.slug:
        digest = hashlib.sha256(instance.name.encode()).hexdigest()[:12]
        instance.slug = f"tag-{digest}"
