"""Quiet hours and the read-only switch: the form's page says when it reopens, POSTs are refused.

Times are fixed by passing ``now`` (the rules are pure functions of it); the page tests set the
quiet hours around the real clock, so nothing sleeps. The shared story page only links to the
form, whatever the hour: it never changes with the pauses.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import ModerationSettings, Review
from reviews.moderation import Moderator, Pause, in_quiet_hours

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


def test_no_quiet_hours_no_pause(rules):
    assert pause_at(rules, berlin(3, 0)) is None


def test_in_quiet_hours_is_a_plain_function_of_the_local_time():
    assert in_quiet_hours(time(22), time(6), time(23))
    assert not in_quiet_hours(time(22), time(6), time(6))
    assert in_quiet_hours(time(0), time(6), time(0))
    assert not in_quiet_hours(time(1), time(6), time(0, 59))


# -- On the review form's page --------------------------------------------------------------


def form_page(client, article) -> str:
    return client.get(reverse("reviews:form", args=[article.slug])).content.decode()


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

    page = form_page(client, published_article)
    response = post_review(published_article)

    reopens = rules.quiet_hours_end.strftime("%H:%M")
    assert f"Reviews are paused for the night. The form reopens at {reopens}." in page
    assert 'class="review-form"' not in page
    assert response.status_code == 403
    refusal = response.content.decode()
    assert "The form reopens at" in refusal
    # Nothing typed is lost: the form comes back filled in, to send once the night is over.
    assert "The second paragraph about the border talks was the best." in refusal
    assert not Review.objects.exists()


def test_outside_quiet_hours_the_form_is_there_and_reviews_are_taken(
    client, published_article, rules, post_review
):
    quiet_around_now(rules, inside=False)

    page = form_page(client, published_article)
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
        page = form_page(client, story)
        assert "New reviews are paused for now" in page
        assert 'class="review-form"' not in page
    assert post_review(published_article).status_code == 403
    assert not Review.objects.exists()


def test_the_shared_story_page_is_the_same_in_and_out_of_quiet_hours(
    client, published_article, rules
):
    quiet_around_now(rules, inside=False)
    outside = client.get(published_article.get_absolute_url()).content
    quiet_around_now(rules, inside=True)
    inside = client.get(published_article.get_absolute_url()).content

    assert outside == inside
    assert reverse("reviews:form", args=[published_article.slug]).encode() in inside


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
