"""Most read, in Chromium: readers of a story served from the page cache are counted, and the
"Most read (24 h)" block shows it once the worker moved the counts and the refresh period ran.
"""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article, Region, Rubric
from readership import page_changes
from readership.counting import hour_number, hour_start
from readership.models import StoryReads
from readership.tasks import flush_reads
from tests.e2e.conftest import blocking_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REFRESH_SECONDS = 4
READERS = 6
# Headless Chromium says "HeadlessChrome", which the robots list rightly leaves out: these
# readers come with the user agents of ordinary browsers, one each.
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.{}.0 Safari/537.36"
)


@pytest.fixture
def newsroom(transactional_db, settings) -> dict[str, Article]:
    """Six public stories; five of them read yesterday evening and today, the sixth not yet."""
    settings.NEWSROOM_READS_FLUSHED_BY_WEB = False
    settings.NEWSROOM_MOST_READ_REFRESH = REFRESH_SECONDS
    region = Region.objects.create(name="South Caucasus", slug="south-caucasus")
    rubric = Rubric.objects.create(name="Analysis", slug="analysis")
    stories = {}
    for number, title in enumerate(
        ["Gas and borders", "The wine trade", "A port in Poti", "Mountain roads", "Tbilisi"]
        + ["The quiet election"]
    ):
        story = Article.objects.create(
            title=title,
            slug=f"story-{number}",
            teaser="What happened, and what comes next.",
            body="<p>The story.</p>",
            region=region,
            rubric=rubric,
            status=Article.Status.PUBLISHED,
            publish_at=timezone.now() - timedelta(hours=number + 2),
        )
        story.tags.add("caucasus")
        stories[title] = story
    hour = hour_start(hour_number(timezone.now() - timedelta(hours=1)))
    for reads, title in zip([5, 4, 3, 2, 1], stories, strict=False):
        StoryReads.objects.create(story=stories[title], hour=hour, count=reads)
    page_changes.refresh_most_read()
    return stories


def most_read(page) -> list[str]:
    return page.locator("#most-read-heading + ol .latest__title").all_inner_texts()


def test_reads_through_the_cached_page_reach_most_read(new_page, newsroom, run_tasks):
    story = newsroom["The quiet election"]
    home = new_page("home")
    home.goto("/")
    assert most_read(home) == [
        "Gas and borders",
        "The wine trade",
        "A port in Poti",
        "Mountain roads",
        "Tbilisi",
    ]

    # The first reader's visit stores the story page; a change that tells the page cache
    # nothing shows that every later reader gets the stored page.
    first = new_page("reader-0", user_agent=BROWSER.format(0))
    with first.expect_response(lambda response: "/reads/" in response.url) as beacon:
        first.goto(story.get_absolute_url())
    assert beacon.value.status == 204
    Article.objects.filter(pk=story.pk).update(title="Changed behind the cache's back")
    for number in range(1, READERS):
        reader = new_page(f"reader-{number}", user_agent=BROWSER.format(number))
        with reader.expect_response(lambda response: "/reads/" in response.url) as beacon:
            reader.goto(story.get_absolute_url())
        assert beacon.value.status == 204
        assert reader.locator("h1").inner_text() == "The quiet election"  # the stored page
        reader.reload()  # a reload is the same reader: not counted again
        reader.wait_for_load_state("networkidle")
    Article.objects.filter(pk=story.pk).update(title="The quiet election")

    # As if the block had just been refreshed on every page (the pages are built again, and
    # the home page stored with the order of before these reads)...
    cache.delete_many([page_changes.SHOWN_KEY, page_changes.REFRESHED_KEY])
    assert page_changes.refresh_most_read()
    refreshed_at = time.monotonic()
    home.reload()
    # ...so when the worker moves the counts, the pages keep the order they have until the
    # refresh period is over.
    flush_reads.enqueue()
    run_tasks()
    assert StoryReads.objects.filter(story=story).get().count == READERS
    home.reload()
    assert "The quiet election" not in most_read(home)

    time.sleep(max(0.0, REFRESH_SECONDS + 0.5 - (time.monotonic() - refreshed_at)))
    flush_reads.enqueue()
    run_tasks()
    home.reload()
    assert most_read(home)[0] == "The quiet election"

    reader = new_page("reader-after", user_agent=BROWSER.format(99))
    reader.goto(newsroom["Tbilisi"].get_absolute_url())
    assert most_read(reader)[0] == "The quiet election"
    assert reader.locator("#related-stories").count() == 1
    assert blocking_violations(home) == []
    assert blocking_violations(reader) == []
