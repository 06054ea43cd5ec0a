"""Moving the counts from the shared cache to the database: in bulk, each read once."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Sum
from django.utils import timezone

from readership import counting, tasks
from readership.counting import flush_counts, hour_number, hour_start
from readership.models import StoryReads
from worker.supervision import periodic_jobs

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def count(story, reader: int, now=None) -> bool:
    return counting.count_read(
        story.pk, address=f"198.51.100.{reader}", user_agent=BROWSER, now=now
    )


def total(story) -> int:
    return StoryReads.objects.filter(story=story).aggregate(reads=Sum("count"))["reads"] or 0


def test_counts_reach_the_database_in_bulk_whatever_their_number(
    make_article, django_assert_num_queries
):
    few = [make_article() for _ in range(2)]
    many = [make_article() for _ in range(40)]
    for story in few:
        count(story, 1)
    # The story ids, the stored rows and one upsert, in a savepoint of the test's transaction.
    with django_assert_num_queries(5) as few_queries:
        assert flush_counts() == 2
    for reader, story in enumerate(many, start=1):
        count(story, reader)
        count(story, reader + 100)

    with django_assert_num_queries(len(few_queries)):
        assert flush_counts() == 80

    assert [total(story) for story in many] == [2] * 40


def test_a_flush_adds_to_the_hour_it_already_stored(published_article):
    count(published_article, 1)
    flush_counts()
    count(published_article, 2)
    count(published_article, 3)

    flush_counts()

    assert StoryReads.objects.get(story=published_article).count == 3


def test_what_was_moved_is_taken_out_of_the_cache(published_article):
    count(published_article, 1)
    flush_counts()

    assert flush_counts() == 0
    assert total(published_article) == 1


def test_a_story_is_noted_once_an_hour_however_often_it_is_flushed(published_article):
    for reader in range(1, 4):
        count(published_article, reader)
        flush_counts()

    assert cache.get(counting.noted_count_key(hour_number(timezone.now()))) == 1
    assert total(published_article) == 3


def test_reads_arriving_while_a_flush_runs_wait_for_the_next(published_article):
    count(published_article, 1)
    taken = counting.take_counts(hour_number(timezone.now()))
    count(published_article, 2)  # between taking the counts and storing them
    counting.store_counts(taken)

    assert total(published_article) == 1
    flush_counts()
    assert total(published_article) == 2


def test_hours_that_are_over_are_stored_as_theirs_and_deleted(published_article):
    now = timezone.now()
    count(published_article, 1, now=now - timedelta(hours=3))
    count(published_article, 2, now=now - timedelta(hours=3))
    count(published_article, 3, now=now)

    flush_counts(now)

    hours = dict(StoryReads.objects.values_list("hour", "count"))
    assert hours == {
        hour_start(hour_number(now - timedelta(hours=3))): 2,
        hour_start(hour_number(now)): 1,
    }
    past = hour_number(now - timedelta(hours=3))
    assert cache.get(counting.count_key(past, published_article.pk)) is None
    assert cache.get(counting.noted_count_key(past)) is None


def test_reads_of_deleted_stories_are_dropped(make_article):
    kept, deleted = make_article(), make_article()
    count(kept, 1)
    count(deleted, 1)
    deleted.delete()

    flush_counts()

    assert list(StoryReads.objects.values_list("story", "count")) == [(kept.pk, 1)]


def test_counts_a_failed_write_took_wait_for_the_next_flush(monkeypatch, published_article):
    count(published_article, 1)
    count(published_article, 2)

    def database_away(taken):
        raise DatabaseError("the database went away")

    with monkeypatch.context() as patch:
        patch.setattr(counting, "store_counts", database_away)
        with pytest.raises(DatabaseError):
            flush_counts()
    assert total(published_article) == 0

    flush_counts()
    assert total(published_article) == 2


def test_only_one_flush_runs_at_a_time(published_article):
    count(published_article, 1)
    cache.add(counting.FLUSH_LOCK_KEY, 1)

    assert flush_counts() is None

    cache.delete(counting.FLUSH_LOCK_KEY)
    assert flush_counts() == 1


def test_the_worker_moves_the_counts_every_minute(run_tasks, settings, published_article):
    job = next(job for job in periodic_jobs() if job.task == tasks.flush_reads)
    assert job.every == timedelta(seconds=settings.NEWSROOM_READS_FLUSH_SECONDS)
    count(published_article, 1)

    tasks.flush_reads.enqueue()
    [result] = [done for done in run_tasks() if done.task_path.endswith(".flush_reads")]

    assert result.return_value == 1
    assert total(published_article) == 1


def test_reads_of_stories_the_public_cannot_read_are_dropped(make_article):
    draft = make_article(status="draft")
    scheduled = make_article(publish_at=timezone.now() + timedelta(days=1))
    count(draft, 1)
    count(scheduled, 1)

    assert flush_counts() == 2
    assert total(draft) == total(scheduled) == 0
