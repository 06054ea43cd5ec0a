"""What each event says: thin payloads, safe to hand to any partner.

A payload names what changed and where to read it, not the whole story: the partner asks
the content API for more, as the public may. Absolute URLs come from ``SITE_URL``
(``serving.origin``), never from a request. A review's payload carries no name, email or
client fingerprint of its reader; an unpublished story's only what identifies it.

Every body is ``{"type": …, "timestamp": …, "data": {…}}`` as Standard Webhooks suggests,
serialised once, compactly, and stored: the bytes signed are the bytes sent, every attempt.
"""

import json
from datetime import UTC, datetime

from django.urls import reverse
from django.utils import translation

from api.representations import changed_at
from articles.models import Article
from reviews.models import Review
from serving.origin import absolute_url


def timestamp(moment: datetime | None) -> str | None:
    """Return *moment* in ISO 8601, in UTC with a ``Z``, as the specification's examples."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def body(event_type: str, data: dict, at: datetime) -> str:
    """Return the JSON body of an event of *event_type* that happened *at*."""
    envelope = {"type": event_type, "timestamp": timestamp(at), "data": data}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))


def story_url(slug: str, language: str) -> str:
    with translation.override(language):
        return absolute_url(reverse("articles:detail", kwargs={"slug": slug}))


def story(article: Article) -> dict:
    """Return what ``story.published`` and ``story.updated`` say about *article*."""
    return {
        "id": article.pk,
        "slug": article.slug,
        "title": article.title,
        "language": article.language,
        "url": absolute_url(article.get_absolute_url()),
        # The content API's view of the same story (api/), where a partner reads the rest.
        "api_url": absolute_url(reverse("api-v1:story", kwargs={"slug": article.slug})),
        "published_at": timestamp(article.publish_at),
        # As the content API gives it, so that a partner syncs from either with one bookmark.
        "updated_at": timestamp(changed_at(article)),
    }


def story_gone(story_id: int, slug: str, language: str, reason: str) -> dict:
    """Return what ``story.unpublished`` says: which story, where it was, and why it is gone."""
    return {
        "id": story_id,
        "slug": slug,
        "language": language,
        "url": story_url(slug, language),
        "reason": reason,
    }


def review(review: Review, article: Article) -> dict:
    """Return what ``review.approved`` says: the review and its story, no personal data."""
    return {
        "id": review.pk,
        "story": {
            "id": article.pk,
            "slug": article.slug,
            "url": absolute_url(article.get_absolute_url()),
        },
        "approved_at": timestamp(review.moderated_at),
    }
