"""Which library images each story's text shows (``BodyImage``), kept in step with the body.

The library lists an image's uses from these rows, and they PROTECT it: an image a story's
text shows cannot be deleted. Recorded after every save of a story that may have changed its
body (``ArticlesConfig.ready()`` connects the receiver).
"""

from django.db.models.signals import post_save

from articles.models import Article, BodyImage
from articles.references import references
from images.models import Image


def record_body_images(article: Article) -> None:
    """Make the BodyImage rows of *article* those of the images its body shows now."""
    wanted = set(references(article.body).image_ids)
    if wanted:
        wanted = set(Image.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    uses = BodyImage.objects.filter(article=article)
    recorded = set(uses.values_list("image_id", flat=True))
    if recorded - wanted:
        uses.filter(image_id__in=recorded - wanted).delete()
    if wanted - recorded:
        # Two editors saving the same new figure at once: the second finds the row there.
        BodyImage.objects.bulk_create(
            [BodyImage(article=article, image_id=image_id) for image_id in wanted - recorded],
            ignore_conflicts=True,
        )


def story_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "body" not in update_fields):
        return
    record_body_images(instance)


def connect() -> None:
    post_save.connect(story_saved, sender=Article, dispatch_uid="articles.body_images")
