from datetime import timedelta

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from newsroom import pagecache
        from reviews.models import ModerationSettings, Review
        from reviews.signals import reviews_changed

        # Bulk moderation is one UPDATE and sends no post_save: it announces itself here.
        reviews_changed.connect(pagecache.invalidate_on_commit, dispatch_uid="pagecache-reviews")
        post_save.connect(review_saved, sender=Review, dispatch_uid="pagecache-review-saved")
        post_delete.connect(
            pagecache.invalidate_on_commit, sender=Review, dispatch_uid="pagecache-review-deleted"
        )
        pagecache.watch(ModerationSettings)
        pagecache.register_clock(next_reviews_closing)


def review_saved(sender, instance, created, **kwargs):
    """Invalidate cached pages unless the save was a new review nobody can see yet.

    Readers' pending submissions must not flush the cache: a flood of them would otherwise turn
    every page into a miss.
    """
    from newsroom import pagecache

    if created and instance.status != instance.Status.APPROVED:
        return
    pagecache.invalidate_on_commit()


def next_reviews_closing(now):
    """Return when the next story's reviews close by age (its form must disappear then)."""
    from articles.models import Article
    from reviews.models import ModerationSettings

    days = ModerationSettings.load().close_after_days
    if not days:
        return None
    oldest_open = (
        Article.objects.published()
        .filter(allow_reviews=True, publish_at__gt=now - timedelta(days=days))
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )
    return oldest_open + timedelta(days=days) if oldest_open else None
