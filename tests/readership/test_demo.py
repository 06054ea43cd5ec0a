"""``seed_demo`` leaves "Most read (24 h)" filled in, and running it again adds nothing."""

import pytest

from articles.signals import demo_seeded
from readership.demo import seed_reads
from readership.models import StoryReads
from readership.selectors import most_read

pytestmark = pytest.mark.django_db


def test_the_demo_stories_get_plausible_reads_once(make_article, draft_article):
    stories = [make_article() for _ in range(8)]

    demo_seeded.send(sender=None)

    assert len(most_read()) == 5
    assert not StoryReads.objects.filter(story=draft_article).exists()
    counts = sorted(
        (sum(row.count for row in StoryReads.objects.filter(story=story)) for story in stories),
        reverse=True,
    )
    assert counts[0] > 3 * counts[-1] > 0  # a few stories draw most readers
    assert seed_reads() == 0
