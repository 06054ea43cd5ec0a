import hashlib

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, pre_save
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

        # Anonymous reader pages are cached; any change a reader could see invalidates them.
        from taggit.models import Tag, TaggedItem

        from articles.models import Article, Author, Redirect, Region, Rubric
        from newsroom import pagecache

        pagecache.watch(Article, Article.authors.through, Region, Rubric, Author, Tag, TaggedItem)
        pagecache.watch(Redirect)
        m2m_changed.connect(pagecache.invalidate_on_commit, sender=Article.authors.through)
        pagecache.register_clock(next_scheduled_publication)

        # A tag named only with symbols or emoji would get an empty slug: no address at all.
        pre_save.connect(give_tag_a_slug, sender=Tag)


def give_tag_a_slug(sender, instance, **kwargs):
    """Give a tag whose name has no letters or digits a stable slug made from its name."""
    if not instance.slug:
        digest = hashlib.sha256(instance.name.encode()).hexdigest()[:12]
        instance.slug = f"tag-{digest}"


def next_scheduled_publication(now):
    """Return when the next scheduled story goes public, the moment cached pages turn stale."""
    from articles.models import Article

    return Article.objects.scheduled().values_list("publish_at", flat=True).first()
