"""Scheduling you can trust: the Upcoming list, the schedule check and its admin index line."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, timezone

from articles.models import Article, ScheduledEdit
from editorial import schedule

UPCOMING_URL = reverse("admin:editorial_upcomingstory_changelist")
PROBLEMS_URL = reverse("admin:editorial_schedule_problems")


def missed_story(make_article, status=Article.Status.REVIEW, due=timedelta(hours=-2)):
    """Return a story given a publication time on purpose, days after it was written."""
    story = make_article(title="Missed the slot", status=status, publish_at=timezone.now() + due)
    Article.objects.filter(pk=story.pk).update(created_at=timezone.now() - timedelta(days=2))
    return story


def codes(problems) -> list[tuple[str, str, str]]:
    return [(problem.code, problem.severity, problem.article.title) for problem in problems]


def test_a_story_scheduled_in_the_past_but_still_in_review_is_critical(make_article):
    missed_story(make_article)
    assert codes(schedule.find_problems()) == [("missed", "critical", "Missed the slot")]


def test_a_story_due_within_the_hour_but_not_approved_is_a_warning(make_article):
    missed_story(make_article, status=Article.Status.DRAFT, due=timedelta(minutes=30))
    assert codes(schedule.find_problems()) == [("due_soon", "warning", "Missed the slot")]


def test_ordinary_drafts_are_not_flagged(make_article):
    # publish_at is stamped at creation: nobody chose a time, so nothing was missed.
    make_article(status=Article.Status.DRAFT, publish_at=timezone.now())
    make_article(status=Article.Status.REVIEW, publish_at=timezone.now() + timedelta(days=3))
    assert schedule.find_problems() == []


def test_images_without_alt_text_and_empty_bodies_are_flagged(make_article, make_image):
    # The library lets an image wait for its alt text; a story showing it is a problem.
    undescribed = make_image(alt_text="")
    make_article(title="Published, no alt", lead_image=undescribed)
    make_article(title="Published, alt", lead_image=make_image(alt_text="A harbour at dawn"))
    make_article(title="Published, empty", body="<p> </p>")
    make_article(
        title="Scheduled, no alt",
        publish_at=timezone.now() + timedelta(days=1),
        lead_image=undescribed,
    )

    assert sorted(codes(schedule.find_problems())) == [
        ("empty_body", "critical", "Published, empty"),
        ("no_alt", "critical", "Published, no alt"),
        ("no_alt", "warning", "Scheduled, no alt"),
    ]

    # Described in the library, every story using it is fine.
    undescribed.alt_text = "A harbour at night"
    undescribed.save()
    assert codes(schedule.find_problems()) == [("empty_body", "critical", "Published, empty")]


def test_check_schedule_exits_critical_with_one_line_per_problem(make_article, capsys):
    story = missed_story(make_article)

    with pytest.raises(SystemExit) as exit_info:
        call_command("check_schedule")

    assert exit_info.value.code == 2
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "SCHEDULE CRITICAL - 1 critical, 0 warning | critical=1 warning=0"
    assert lines[1].startswith("CRITICAL [missed] “Missed the slot”")
    assert lines[1].endswith(f"/admin/articles/article/{story.pk}/change/")
    assert "but is still in review" in lines[1]


def test_check_schedule_exits_warning_for_warnings_only(make_article, capsys):
    missed_story(make_article, due=timedelta(minutes=20))
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_schedule")
    assert exit_info.value.code == 1
    assert capsys.readouterr().out.startswith("SCHEDULE WARNING - 0 critical, 1 warning")


def test_check_schedule_is_ok_when_all_is_consistent(published_article, capsys):
    call_command("check_schedule")
    assert capsys.readouterr().out.startswith("SCHEDULE OK - no problems")


def test_upcoming_lists_scheduled_stories_in_the_site_time_zone(editor_client, make_article):
    soon = make_article(title="Goes out soon", publish_at=timezone.now() + timedelta(hours=3))
    later = make_article(title="Goes out later", publish_at=timezone.now() + timedelta(days=2))
    make_article(title="Already out")
    make_article(title="Just a draft", status=Article.Status.DRAFT)

    response = editor_client.get(UPCOMING_URL)

    page = response.content.decode()
    assert page.index("Goes out soon") < page.index("Goes out later")
    assert "Already out" not in page and "Just a draft" not in page
    local = formats.date_format(timezone.localtime(soon.publish_at), "DATETIME_FORMAT")
    assert local in page
    assert "Times in Europe/Berlin" in page
    assert reverse("admin:articles_article_change", args=[later.pk]) in page


def test_admin_index_shows_the_number_of_problems_linked_to_details(
    editor_client, make_article, make_image
):
    missed_story(make_article)
    make_article(title="No alt", lead_image=make_image(alt_text=""))

    index = editor_client.get(reverse("admin:index")).content.decode()
    details = editor_client.get(PROBLEMS_URL).content.decode()

    assert 'id="review-queue-summary"' in index
    assert f'<a href="{PROBLEMS_URL}">2 problems</a>' in index
    assert "Missed the slot" in details and "has a lead image without alt text" in details


def test_admin_index_says_all_clear(editor_client, db):
    index = editor_client.get(reverse("admin:index")).content.decode()
    assert f'<a href="{PROBLEMS_URL}">all clear</a>' in index


def test_moderators_and_authors_get_neither_list(client, moderator, author_user):
    for user in (moderator, author_user):
        client.force_login(user)
        assert client.get(UPCOMING_URL).status_code == 403
        assert client.get(PROBLEMS_URL).status_code == 403
        assert 'id="schedule-summary"' not in client.get(reverse("admin:index")).content.decode()


def test_upcoming_lists_what_goes_live_comes_down_and_scheduled_edits_in_time_order(
    editor_client, make_article, editor
):

    make_article(title="Goes out in two hours", publish_at=timezone.now() + timedelta(hours=2))
    make_article(title="Comes down in an hour", unpublish_at=timezone.now() + timedelta(hours=1))
    corrected = make_article(title="Corrected in three hours")
    ScheduledEdit.objects.create(
        article=corrected,
        apply_at=timezone.now() + timedelta(hours=3),
        changes={"title": "x"},
        created_by=editor,
    )
    make_article(title="Live, nothing planned")

    page = editor_client.get(UPCOMING_URL).content.decode()

    assert "Live, nothing planned" not in page
    order = [
        page.index("Comes down in an hour"),
        page.index("Goes out in two hours"),
        page.index("Corrected in three hours"),
    ]
    assert order == sorted(order)
    assert "Comes down (unpublish at)" in page
    assert "Scheduled edit goes live" in page
    assert [story.next_change for story in schedule.upcoming()] == [
        schedule.Change.COMES_DOWN,
        schedule.Change.GOES_UP,
        schedule.Change.EDIT,
    ]


def test_an_overdue_scheduled_edit_is_critical_and_one_on_an_offline_story_a_warning(
    make_article, editor
):

    live = make_article(title="Live with a stuck edit")
    offline = make_article(title="Taken down", status=Article.Status.DRAFT)
    for story, due in ((live, timedelta(minutes=-20)), (offline, timedelta(hours=2))):
        ScheduledEdit.objects.create(
            article=story, apply_at=timezone.now() + due, changes={"title": "x"}, created_by=editor
        )

    assert codes(schedule.find_problems()) == [
        ("edit_overdue", "critical", "Live with a stuck edit"),
        ("edit_offline", "warning", "Taken down"),
    ]
