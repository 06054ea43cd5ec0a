"""Which reader pages a change to reviews touches, told to the page cache.

A story's reviews show on its own page only, so approving, rejecting or deleting one makes
just that page stale; new pending reviews touch nothing. Reviews closing by age are a
page-cache clock. The moderation rules decide when every story's reviews close, so changing
them makes every page stale.
"""

from datetime import datetime, timedelta

from django.db.models.signals import post_delete, post_save

from articles.models import Article
from pagecache.invalidation import invalidate, invalidate_everything, register_clock
from reviews.models import ModerationSettings, Review
from reviews.signals import reviews_changed


def story_pages(article_ids) -> list[str]:
    return [
        article.get_absolute_url()
        for article in Article.objects.filter(pk__in=article_ids).only("slug", "language")
    ]


def stories_reviews_changed(sender, article_ids, **kwargs):
    invalidate(story_pages(article_ids))


def review_saved(sender, instance, created, raw=False, **kwargs):
    """Make the story's page stale, unless the save was a new review nobody can see yet.

    Readers' pending submissions must not touch the cache: a flood of them would otherwise
    turn the story's page into a miss at every request.
    """
    if raw or (created and instance.status != Review.Status.APPROVED):
        return
    invalidate(story_pages({instance.article_id}))


def review_deleted(sender, instance, **kwargs):
    invalidate(story_pages({instance.article_id}))


def rules_changed(sender, raw=False, **kwargs):
    if not raw:
        invalidate_everything()


def reviews_closed(since: datetime, until: datetime) -> list[str]:
    """Return the story pages whose reviews closed by age between *since* and *until*.

    A page-cache clock: their "Leave a review" link must give way to "Reviews are closed".
    """
    days = ModerationSettings.load().close_after_days
    if not days:
        return []
    window = timedelta(days=days)
    closed = (
        Article.objects.published()
        .filter(allow_reviews=True, publish_at__gt=since - window, publish_at__lte=until - window)
        .only("slug", "language")
    )
    return [article.get_absolute_url() for article in closed]


def connect() -> None:
    """Connect the receivers and the clock (from ``ReviewsConfig.ready()``)."""
    uid = "reviews.page_changes"
    # Bulk moderation is one UPDATE and sends no post_save: it announces itself here.
    reviews_changed.connect(stories_reviews_changed, dispatch_uid=f"{uid}:bulk")
    post_save.connect(review_saved, sender=Review, dispatch_uid=f"{uid}:saved")
    post_delete.connect(review_deleted, sender=Review, dispatch_uid=f"{uid}:deleted")
    post_save.connect(rules_changed, sender=ModerationSettings, dispatch_uid=f"{uid}:rules")
    register_clock(reviews_closed)
