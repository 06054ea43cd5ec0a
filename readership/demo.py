"""Demo read counts: ``seed_demo`` ends with "Most read (24 h)" already filled in.

Connected to ``articles.signals.demo_seeded`` by ``ReadershipConfig.ready()``.
"""

import random

from django.conf import settings
from django.utils import timezone

from articles.models import Article
from articles.signals import demo_seeded
from pagecache.invalidation import invalidate_everything
from readership.counting import hour_number, hour_start
from readership.models import StoryReads
from readership.selectors import MOST_READ_PERIOD

DEMO_DAYS = 7
# Reads in its first hour of the most read demo story; the others draw less, by rank.
TOP_STORY_FIRST_HOUR = 600


def seed_reads(sender=None, **kwargs) -> int:
    """Give the public stories a week of plausible hourly reads; return the rows added.

    A few stories draw most readers and interest fades over the days after publication, as
    on any news site; the numbers are random but the same at every run. Each language's
    stories are ranked on their own, so each edition has its "Most read". Nothing is added
    for a language whose stories already have reads in the last 24 hours (running
    ``seed_demo`` again adds nothing).
    """
    now = timezone.now()
    current = hour_number(now)
    rows = []
    for code, _name in settings.LANGUAGES:
        public = Article.objects.published().in_language(code)
        if StoryReads.objects.since(now - MOST_READ_PERIOD).filter(story__in=public).exists():
            continue
        stories = list(public.order_by("pk").values_list("pk", "publish_at"))
        rows += _reads(stories, current, random.Random(17))
    created = StoryReads.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    if created:
        # "Most read" is on every page: any stored before the counts existed must go.
        invalidate_everything()
    return len(created)


def _reads(stories: list[tuple], current: int, chance: random.Random) -> list[StoryReads]:
    chance.shuffle(stories)
    rows = []
    for rank, (story_id, published) in enumerate(stories, start=1):
        first_hour = max(hour_number(published), current - DEMO_DAYS * 24)
        for hour in range(first_hour, current + 1):
            age_in_days = (hour - hour_number(published)) / 24
            expected = TOP_STORY_FIRST_HOUR / rank / (1 + age_in_days) ** 1.5
            count = round(expected * chance.uniform(0.5, 1.5))
            if count > 0:
                rows.append(StoryReads(story_id=story_id, hour=hour_start(hour), count=count))
    return rows


def connect() -> None:
    demo_seeded.connect(seed_reads, dispatch_uid="readership.demo.seed_reads")
