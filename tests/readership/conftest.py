from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from readership.counting import flush_counts
from readership.models import StoryReads

# A reader's browser, and the addresses readers come from (documentation ranges).
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36"
)
READER = "198.51.100.23"


@pytest.fixture(autouse=True)
def worker_moves_the_counts(settings):
    """The worker moves the counts (as with Redis): tests flush where a worker would.

    And the page cache's lease holds for the whole test, so that a page served from the cache
    runs no query at all (its renewal is tested in tests/test_pagecache.py).
    """
    settings.NEWSROOM_READS_FLUSHED_BY_WEB = False
    settings.PAGE_CACHE_LEASE_SECONDS = 600


@pytest.fixture
def read(client) -> Callable:
    """Send the read beacon of *story* as a reader's browser on one of our pages does."""

    def send(
        story: Article | int,
        *,
        ip: str = READER,
        user_agent: str = BROWSER,
        fetch_site: str | None = "same-origin",
        **headers,
    ):
        story_id = story if isinstance(story, int) else story.pk
        if fetch_site is not None:
            headers["HTTP_SEC_FETCH_SITE"] = fetch_site
        return client.post(
            reverse("readership:read", args=[story_id]),
            REMOTE_ADDR=ip,
            HTTP_USER_AGENT=user_agent,
            **headers,
        )

    return send


def stored_reads(story: Article) -> int:
    """Move the counts to the database as the worker does; return *story*'s reads in all."""
    flush_counts()
    return StoryReads.objects.figures_for(story.pk, timezone.now())["total"]
