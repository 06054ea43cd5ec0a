"""The "Most read (24 h)" block: the public stories read most, on the home and story pages,
kept in the page cache and refreshed there when the order changes."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Region, Rubric
from readership import page_changes, tasks
from readership.counting import hour_number, hour_start
from readership.models import StoryReads
from readership.selectors import most_read

pytestmark = pytest.mark.django_db


def give_reads(story: Article, count: int, hours_ago: int = 0) -> None:
    hour = hour_start(hour_number(timezone.now() - timedelta(hours=hours_ago)))
    StoryReads.objects.update_or_create(story=story, hour=hour, defaults={"count": count})


def most_read_titles(html: str) -> list[str]:
    """Return the titles listed in the page's "Most read" block, in order."""
    block = html.split('id="most-read-heading"', 1)
    if len(block) == 1:
        return []
    listed = block[1].split("</section>", 1)[0]
    return re.findall(r'class="latest__title"><a href="[^"]+"[^>]*>([^<]+)</a>', listed)


def served_from_cache(client, url: str) -> bool:
    """Return whether *url* came from the page cache: a stored page runs no query at all."""
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries) == 0


@pytest.fixture
def stories(make_article) -> list[Article]:
    return [make_article(title=f"Story {letter}") for letter in "ABCDEFG"]


def test_home_lists_the_five_stories_read_most_in_the_last_day(client, stories):
    for reads, story in zip([5, 70, 30, 0, 90, 10, 50], stories, strict=True):
        give_reads(story, reads, hours_ago=2)
    give_reads(stories[3], 500, hours_ago=30)  # read much, but the day before

    page = client.get("/").content.decode()

    assert most_read_titles(page) == ["Story E", "Story B", "Story G", "Story C", "Story F"]


def test_reads_of_every_hour_of_the_day_add_up(client, stories):
    give_reads(stories[0], 40, hours_ago=1)
    for hours_ago in (1, 5, 12, 23):
        give_reads(stories[1], 15, hours_ago=hours_ago)

    assert [story.title for story in most_read()[:2]] == ["Story B", "Story A"]


def test_a_story_no_longer_public_is_never_listed(client, stories):
    draft, expired, scheduled, public = stories[:4]
    for story in (draft, expired, scheduled, public):
        give_reads(story, 1000)
    give_reads(public, 1)
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.DRAFT)
    Article.objects.filter(pk=expired.pk).update(unpublish_at=timezone.now())
    Article.objects.filter(pk=scheduled.pk).update(publish_at=timezone.now() + timedelta(hours=1))

    assert [story.title for story in most_read()] == ["Story D"]


def test_no_block_while_nothing_was_read(client, stories):
    page = client.get("/").content.decode()

    assert "Most read" not in page


def test_the_story_page_shows_the_block_with_itself_marked(client, stories):
    give_reads(stories[0], 10)
    give_reads(stories[1], 20)

    page = client.get(stories[0].get_absolute_url()).content.decode()

    assert most_read_titles(page) == ["Story B", "Story A"]
    assert f'href="{stories[0].get_absolute_url()}" aria-current="page">' in page


def test_the_list_costs_one_query_however_many_stories_were_read(
    make_article, django_assert_num_queries
):
    for number in range(30):
        give_reads(make_article(), number + 1)

    with django_assert_num_queries(1):
        assert len(most_read()) == 5


def test_the_block_is_built_once_for_every_page_showing_it(client, stories, no_page_cache):
    give_reads(stories[0], 10)
    client.get("/")
    with CaptureQueriesContext(connection) as first_story_page:
        client.get(stories[1].get_absolute_url())
    sql = [query["sql"] for query in first_story_page.captured_queries]

    assert not any("readership_storyreads" in statement for statement in sql)


def test_new_reads_reach_the_cached_pages_once_the_order_changes(client, settings, stories):
    settings.NEWSROOM_MOST_READ_REFRESH = 600
    give_reads(stories[0], 10)
    page_changes.refresh_most_read()
    assert most_read_titles(client.get("/").content.decode()) == ["Story A"]
    assert served_from_cache(client, "/")

    # Reads the worker moved, same order: the cached pages stay.
    give_reads(stories[0], 20)
    assert page_changes.refresh_most_read() is False
    assert served_from_cache(client, "/")

    # A new order: every page showing the block is built again.
    give_reads(stories[1], 30)
    cache.delete(page_changes.REFRESHED_KEY)  # the last refresh is NEWSROOM_..._REFRESH old
    assert page_changes.refresh_most_read() is True
    assert not served_from_cache(client, stories[2].get_absolute_url())
    assert most_read_titles(client.get("/").content.decode()) == ["Story B", "Story A"]


def test_the_pages_are_refreshed_at_most_once_a_period(client, settings, stories):
    settings.NEWSROOM_MOST_READ_REFRESH = 600
    give_reads(stories[0], 10)
    assert page_changes.refresh_most_read() is True
    client.get("/")

    give_reads(stories[1], 30)
    assert page_changes.refresh_most_read() is False

    # The pages keep the order they had until the period is over.
    assert served_from_cache(client, "/")
    assert most_read_titles(client.get("/").content.decode()) == ["Story A"]


def test_the_flush_job_refreshes_the_block(client, read, settings, run_tasks, stories):
    settings.NEWSROOM_MOST_READ_REFRESH = 0
    give_reads(stories[0], 1)
    page_changes.refresh_most_read()
    client.get("/")

    for reader in range(3):
        read(stories[4], ip=f"198.51.100.{reader + 1}")
    tasks.flush_reads.enqueue()
    run_tasks()

    assert most_read_titles(client.get("/").content.decode()) == ["Story E", "Story A"]


def test_each_language_reads_its_own_most_read(client, settings, make_article):
    region = Region.objects.create(name="Южный Кавказ", slug="yuzhnyj-kavkaz", language="ru")
    rubric = Rubric.objects.create(name="Аналитика", slug="analitika", language="ru")
    english = make_article(title="Talks in Baku")
    russian = make_article(
        title="Переговоры в Баку",
        slug="peregovory-v-baku",
        region=region,
        rubric=rubric,
        language="ru",
    )
    give_reads(english, 10)
    give_reads(russian, 90)

    assert most_read_titles(client.get("/").content.decode()) == ["Talks in Baku"]
    russian_home = client.get("/ru/").content.decode()
    assert most_read_titles(russian_home) == ["Переговоры в Баку"]
    assert 'href="/ru/articles/peregovory-v-baku/"' in russian_home
    assert most_read_titles(client.get(russian.get_absolute_url()).content.decode()) == [
        "Переговоры в Баку"
    ]

    # A new order in one language's list is a change for the pages.
    settings.NEWSROOM_MOST_READ_REFRESH = 0
    page_changes.refresh_most_read()
    assert page_changes.refresh_most_read() is False
    give_reads(
        make_article(title="Выборы", slug="vybory", region=region, rubric=rubric, language="ru"),
        200,
    )
    assert page_changes.refresh_most_read() is True
