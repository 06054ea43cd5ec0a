"""Quiet hours and the read-only switch: the form says when it reopens, and POSTs are refused.

Times are fixed by passing ``now`` (the rules are pure functions of it); the page tests set the
quiet hours around the real clock, or move Django's clock, so nothing sleeps.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from articles.views import ArticleDetailView
from newsroom import pagecache
from reviews.models import ModerationSettings, Review
from reviews.moderation import (
    Moderator,
    Pause,
    in_quiet_hours,
    next_review_window_change,
)

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(hour: int, minute: int = 0, second: int = 0, day: int = 10) -> datetime:
    """Return a moment on the site's clock (Europe/Berlin) in June 2026."""
    return datetime(2026, 6, day, hour, minute, second, tzinfo=BERLIN)


@pytest.fixture
def night(rules) -> ModerationSettings:
    rules.quiet_hours_start, rules.quiet_hours_end = time(0, 0), time(6, 0)
    rules.save()
    return rules


@pytest.fixture
def overnight(rules) -> ModerationSettings:
    rules.quiet_hours_start, rules.quiet_hours_end = time(22, 0), time(6, 0)
    rules.save()
    return rules


def pause_at(rules, moment):
    return Moderator(rules).pause(now=moment)


@pytest.mark.parametrize(
    "moment, quiet",
    [
        (berlin(23, 59, 59, day=9), False),
        (berlin(0, 0, 0), True),
        (berlin(5, 59, 59), True),
        (berlin(6, 0, 0), False),
    ],
)
def test_quiet_hours_from_midnight_on_both_sides_of_each_boundary(night, moment, quiet):
    assert (pause_at(night, moment) is not None) is quiet


@pytest.mark.parametrize(
    "moment, quiet",
    [
        (berlin(21, 59, 59), False),
        (berlin(22, 0, 0), True),
        (berlin(0, 30), True),
        (berlin(5, 59, 59), True),
        (berlin(6, 0, 0), False),
        (berlin(12, 0), False),
    ],
)
def test_overnight_quiet_hours_wrap_past_midnight(overnight, moment, quiet):
    assert (pause_at(overnight, moment) is not None) is quiet


def test_the_boundaries_are_on_the_sites_clock_not_utc(night):
    # 23:30 UTC on 9 June is 01:30 in Berlin (summer time): quiet.
    assert pause_at(night, datetime(2026, 6, 9, 23, 30, tzinfo=ZoneInfo("UTC"))) is not None
    # 04:30 UTC is 06:30 in Berlin: open, though 04:30 would be quiet in UTC.
    assert pause_at(night, datetime(2026, 6, 10, 4, 30, tzinfo=ZoneInfo("UTC"))) is None


def test_the_pause_says_when_reviews_reopen(overnight):
    pause = pause_at(overnight, berlin(23, 15))
    assert pause.reason == Pause.QUIET_HOURS
    assert pause.reopens_at == berlin(6, 0, day=11)
    assert pause_at(overnight, berlin(3, 0)).reopens_at == berlin(6, 0)


def test_next_window_change_is_the_next_start_or_end(overnight):
    assert next_review_window_change(berlin(12, 0), overnight) == berlin(22, 0)
    assert next_review_window_change(berlin(22, 0), overnight) == berlin(6, 0, day=11)
    assert next_review_window_change(berlin(5, 59), overnight) == berlin(6, 0)


def test_no_quiet_hours_no_window_change(rules):
    assert next_review_window_change(berlin(12, 0), rules) is None
    assert pause_at(rules, berlin(3, 0)) is None


def test_in_quiet_hours_is_a_plain_function_of_the_local_time():
    assert in_quiet_hours(time(22), time(6), time(23))
    assert not in_quiet_hours(time(22), time(6), time(6))
    assert in_quiet_hours(time(0), time(6), time(0))
    assert not in_quiet_hours(time(1), time(6), time(0, 59))


def test_the_page_cache_expires_pages_at_each_window_change():
    assert next_review_window_change in pagecache._clocks


# -- On the story page ----------------------------------------------------------------------


@pytest.fixture
def story_renders(monkeypatch) -> list:
    """Count the story pages rendered by the view (a page-cache hit renders none)."""
    renders = []
    original = ArticleDetailView.get_object

    def counted(self, *args, **kwargs):
        renders.append(self.kwargs.get("slug"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ArticleDetailView, "get_object", counted)
    return renders


def quiet_around_now(rules, *, inside: bool) -> ModerationSettings:
    """Set quiet hours that contain the current time (or lie an hour ahead of it)."""
    local = timezone.localtime()
    start = local - timedelta(hours=1) if inside else local + timedelta(hours=1)
    rules.quiet_hours_start = start.time().replace(second=0, microsecond=0)
    rules.quiet_hours_end = (start + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    rules.save()
    return rules


def test_during_quiet_hours_the_form_is_replaced_and_a_post_refused(
    client, published_article, rules, post_review
):
    rules = quiet_around_now(rules, inside=True)

    page = client.get(published_article.get_absolute_url()).content.decode()
    response = post_review(published_article)

    reopens = rules.quiet_hours_end.strftime("%H:%M")
    assert f"Reviews are paused for the night. The form reopens at {reopens}." in page
    assert 'class="review-form"' not in page
    assert response.status_code == 403
    assert "The form reopens at" in response.content.decode()
    assert not Review.objects.exists()


def test_outside_quiet_hours_the_form_is_there_and_reviews_are_taken(
    client, published_article, rules, post_review
):
    quiet_around_now(rules, inside=False)

    page = client.get(published_article.get_absolute_url()).content.decode()
    response = post_review(published_article)

    assert 'class="review-form"' in page
    assert response.status_code == 302
    assert Review.objects.count() == 1


def test_read_only_switch_pauses_every_story(
    client, published_article, make_article, rules, post_review
):
    rules.reviews_read_only = True
    rules.save()

    for story in (published_article, make_article()):
        page = client.get(story.get_absolute_url()).content.decode()
        assert "New reviews are paused for now." in page
        assert 'class="review-form"' not in page
    assert post_review(published_article).status_code == 403
    assert not Review.objects.exists()


def test_switching_read_only_in_the_admin_shows_at_once_on_cached_pages(
    page_cache, editor_client, published_article, rules, story_renders
):
    reader = Client()
    url = published_article.get_absolute_url()
    assert 'class="review-form"' in reader.get(url).content.decode()
    reader.get(url)
    assert len(story_renders) == 1  # the second view came from the page cache

    editor_client.post(
        f"/admin/reviews/moderationsettings/{rules.pk}/change/",
        {
            "hold_words": rules.hold_words,
            "block_words": rules.block_words,
            "link_threshold": rules.link_threshold,
            "close_after_days": rules.close_after_days,
            "reviews_read_only": "on",
            "quiet_hours_start": "",
            "quiet_hours_end": "",
        },
    )

    assert "New reviews are paused for now." in reader.get(url).content.decode()


def test_a_cached_story_page_loses_its_form_when_quiet_hours_begin(
    page_cache, client, published_article, night, monkeypatch, story_renders
):
    url = published_article.get_absolute_url()
    midnight = datetime.combine(
        timezone.localdate() + timedelta(days=1), time(0, 0), tzinfo=timezone.get_default_timezone()
    )
    monkeypatch.setattr(timezone, "now", lambda: midnight - timedelta(seconds=30))
    assert 'class="review-form"' in client.get(url).content.decode()
    client.get(url)
    assert len(story_renders) == 1  # the second view came from the page cache

    monkeypatch.setattr(timezone, "now", lambda: midnight + timedelta(seconds=30))

    assert "The form reopens at 06:00." in client.get(url).content.decode()
    assert len(story_renders) == 2


def test_quiet_hours_need_both_ends_and_distinct_times(editor_client, rules):
    response = editor_client.post(
        f"/admin/reviews/moderationsettings/{rules.pk}/change/",
        {
            "hold_words": rules.hold_words,
            "block_words": rules.block_words,
            "link_threshold": rules.link_threshold,
            "close_after_days": rules.close_after_days,
            "quiet_hours_start": "22:00",
            "quiet_hours_end": "",
        },
    )
    assert response.status_code == 200
    assert "Give both the start and the end of the quiet hours" in response.content.decode()
    rules.refresh_from_db()
    assert rules.quiet_hours_start is None
