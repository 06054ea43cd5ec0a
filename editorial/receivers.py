"""What the editorial desk does when stories move (connected in ``EditorialConfig.ready()``)."""

from articles.signals import stories_sent_to_review
from editorial import services


def stories_went_to_review(sender, article_ids, by=None, **kwargs):
    services.review_requested(article_ids=set(article_ids), by=by)


def connect() -> None:
    stories_sent_to_review.connect(
        stories_went_to_review, dispatch_uid="editorial.receivers:stories_went_to_review"
    )
