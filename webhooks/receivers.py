"""What queues a look at a story or an announcement of reviews (connected in ``ready()``).

Each receiver only queues a task, in the transaction of the change where there is one: the
look itself (``webhooks.story_events``) runs in the worker, once the change is committed and
complete. A story saved in the admin is saved, then its authors and tags: a look made at
``post_save`` would see the old ones and tell a second, needless ``story.updated`` a moment
later. A save can thus queue a few looks; the first tells what changed, the others find
nothing new.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from taggit.models import TaggedItem

from articles.models import Article, Correction
from articles.signals import stories_bulk_updated
from reviews.models import Review
from reviews.signals import reviews_changed
from webhooks import review_events, story_events


def story_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        story_events.sync.enqueue(instance.pk)


def story_deleted(sender, instance, **kwargs):
    story_events.sync.enqueue(instance.pk)


def correction_changed(sender, instance, raw=False, **kwargs):
    """A correction was added, changed or removed: readers see it with the story."""
    if not raw:
        story_events.sync.enqueue(instance.article_id)


def stories_updated(sender, article_ids, **kwargs):
    for story_id in sorted(article_ids):
        story_events.sync.enqueue(story_id)


def story_relations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse and isinstance(instance, Article):
        story_events.sync.enqueue(instance.pk)
    elif reverse and sender is Article.authors.through:
        # An author's stories changed from the author's side: pk_set holds the stories.
        for story_id in sorted(pk_set or ()):
            story_events.sync.enqueue(story_id)


def review_about_to_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    instance._status_before_save = (
        Review.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
    )


def review_saved(sender, instance, created, raw=False, **kwargs):
    before = instance.__dict__.pop("_status_before_save", None)
    if raw or instance.status != Review.Status.APPROVED or before == Review.Status.APPROVED:
        return
    review_events.announce.enqueue([instance.pk])


def reviews_moderated(sender, article_ids, status, by, moderated_at, **kwargs):
    """Reviews changed status in one UPDATE (sent after it committed)."""
    if status != Review.Status.APPROVED or moderated_at is None:
        return
    review_events.announce_moderation.enqueue(
        sorted(article_ids), moderated_at.isoformat(), by.pk if by is not None else None
    )


def connect() -> None:
    """Connect the receivers (from ``WebhooksConfig.ready()``)."""
    uid = "webhooks.receivers"
    post_save.connect(story_saved, sender=Article, dispatch_uid=f"{uid}:story_saved")
    post_delete.connect(story_deleted, sender=Article, dispatch_uid=f"{uid}:story_deleted")
    stories_bulk_updated.connect(stories_updated, dispatch_uid=f"{uid}:stories_updated")
    post_save.connect(correction_changed, sender=Correction, dispatch_uid=f"{uid}:correction")
    post_delete.connect(
        correction_changed, sender=Correction, dispatch_uid=f"{uid}:correction_deleted"
    )
    for through in (Article.authors.through, TaggedItem):
        m2m_changed.connect(
            story_relations_changed, sender=through, dispatch_uid=f"{uid}:m2m:{through}"
        )
    pre_save.connect(review_about_to_save, sender=Review, dispatch_uid=f"{uid}:review_pre")
    post_save.connect(review_saved, sender=Review, dispatch_uid=f"{uid}:review_saved")
    reviews_changed.connect(reviews_moderated, dispatch_uid=f"{uid}:reviews_changed")
