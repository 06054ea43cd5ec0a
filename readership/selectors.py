"""Reads that span stories and their counts: the "Most read" list."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from articles.models import Article

MOST_READ_COUNT = 5
MOST_READ_PERIOD = timedelta(hours=24)


def most_read(
    count: int = MOST_READ_COUNT, now: datetime | None = None, *, language: str | None = None
) -> list[Article]:
    """Return the *count* public stories of *language* (the default's if not given) read most
    in the last 24 hours, most read first: each language's pages list their own.

    That is the hourly counts begun in that time, the current hour's still growing.
    One query: the published gate is applied now, so a story taken down or expired since its
    reads were counted is never listed. Each story carries ``recent_reads``.
    """
    since = (now or timezone.now()) - MOST_READ_PERIOD
    stories = (
        Article.objects.published()
        .in_language(language or settings.LANGUAGE_CODE)
        .filter(reads__hour__gt=since)
        .annotate(recent_reads=Sum("reads__count"))
        .for_links()
        .order_by("-recent_reads", "-publish_at", "-pk")
    )
    return list(stories[:count])
