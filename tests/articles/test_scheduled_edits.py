"""A correction to a live story, saved for 9:00: readers see the old text until then."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles import scheduled_edits
from articles.models import Article, ScheduledEdit
from audit.models import AuditEntry
from pagecache.keys import LEASE_KEY
from tests.helpers import change_url

pytestmark = pytest.mark.django_db


def at(moment) -> dict:
    local = timezone.localtime(moment)
    return {
        "schedule_edit_at_0": local.strftime("%Y-%m-%d"),
        "schedule_edit_at_1": local.strftime("%H:%M:%S"),
    }


@pytest.fixture
def live_story(make_article):
    return make_article(
        title="Talks in Almaty",
        slug="talks-in-almaty",
        body="<p>The talks ended on Tuesday.</p>",
        tags=["diplomacy"],
    )


def schedule_correction(editor_client, open_form, story, when, **changes):
    data = open_form(editor_client, story, **changes, **at(when))
    return editor_client.post(change_url(story), data)


def test_a_scheduled_correction_waits_and_then_replaces_the_live_text(
    editor_client, open_form, live_story, client, run_tasks, monkeypatch
):
    nine = timezone.now() + timedelta(hours=2)
    response = schedule_correction(
        editor_client,
        open_form,
        live_story,
        nine,
        body="<p>The talks ended on Wednesday.</p>",
        correction="We first wrote Tuesday.",
    )
    assert response.status_code == 302
    live_story.refresh_from_db()
    assert "Tuesday" in live_story.body and not live_story.corrections.exists()
    assert live_story.revised_at is None
    edit = ScheduledEdit.objects.get(article=live_story)
    assert set(edit.changes) == {"body", "correction"}
    page = client.get(live_story.get_absolute_url()).content.decode()
    assert "ended on Tuesday" in page and "Wednesday" not in page
    # Its task waits for its time: a worker now finds nothing due.
    run_tasks()
    live_story.refresh_from_db()
    assert "Tuesday" in live_story.body

    later = nine + timedelta(seconds=30)
    monkeypatch.setattr(timezone, "now", lambda: later)
    run_tasks()
    cache.delete(LEASE_KEY)

    live_story.refresh_from_db()
    assert "Wednesday" in live_story.body
    # The correction is recorded when the edit is applied, at that time, and the story says
    # "Updated" then.
    correction = live_story.corrections.get()
    assert (correction.text, correction.made_at) == ("We first wrote Tuesday.", later)
    assert correction.created_by == edit.created_by
    assert live_story.revised_at == later
    assert list(live_story.tags.names()) == ["diplomacy"]
    page = client.get(live_story.get_absolute_url()).content.decode()
    assert "ended on Wednesday" in page and "We first wrote Tuesday." in page
    edit.refresh_from_db()
    assert edit.applied_at == later
    actions = list(AuditEntry.objects.filter(story=live_story).values_list("action", flat=True))
    assert "edit_scheduled" in actions and "edit_applied" in actions
    assert "correction_added" in actions
    # The story's history has the applied version, by the editor who scheduled it.
    version = live_story.history.first()
    assert "Wednesday" in version.body
    assert version.history_user == edit.created_by


def test_the_change_page_lists_a_waiting_edit_and_it_can_be_cancelled(
    editor_client, open_form, live_story, run_tasks, monkeypatch
):
    when = timezone.now() + timedelta(hours=1)
    schedule_correction(editor_client, open_form, live_story, when, title="Talks in Almaty end")
    page = editor_client.get(change_url(live_story)).content.decode()
    assert "Cancel this edit" in page
    edit = ScheduledEdit.objects.get()
    cancel = f"/admin/articles/article/{live_story.pk}/scheduled-edits/{edit.pk}/cancel/"
    assert "will not be made" in editor_client.get(cancel).content.decode()
    assert editor_client.post(cancel).status_code == 302

    monkeypatch.setattr(timezone, "now", lambda: when + timedelta(minutes=1))
    run_tasks()
    live_story.refresh_from_db()
    assert live_story.title == "Talks in Almaty"
    edit.refresh_from_db()
    assert edit.cancelled_at is not None and edit.applied_at is None


def test_a_scheduled_edit_changes_the_text_only(editor_client, open_form, live_story, rubric):
    when = timezone.now() + timedelta(hours=1)
    response = schedule_correction(
        editor_client, open_form, live_story, when, title="New title", featured="on"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "changes the text only" in page and "New title" in page
    assert not ScheduledEdit.objects.exists()


def test_a_scheduled_edit_needs_a_future_time_and_a_live_story(
    editor_client, open_form, live_story, draft_article
):
    past = timezone.now() - timedelta(minutes=5)
    response = schedule_correction(editor_client, open_form, live_story, past, title="New title")
    assert "Choose a time in the future" in response.content.decode()

    # A story not yet live is simply saved: the form does not offer a time.
    assert (
        "Apply my text changes at"
        not in editor_client.get(change_url(draft_article)).content.decode()
    )
    assert not ScheduledEdit.objects.exists()


def test_authors_cannot_schedule_edits_of_published_stories(
    client, author_user, live_story, open_form
):
    live_story.authors.add(author_user.author_profile)
    client.force_login(author_user)
    response = client.post(
        change_url(live_story),
        {"title": "Mine now", **at(timezone.now() + timedelta(hours=1))},
    )
    assert response.status_code == 403
    assert not ScheduledEdit.objects.exists()


def test_edits_left_due_by_a_lost_task_are_applied_by_the_periodic_sweep(
    live_story, editor, run_tasks
):
    edit = ScheduledEdit.objects.create(
        article=live_story,
        apply_at=timezone.now() - timedelta(minutes=1),
        changes={"title": "Talks in Almaty, corrected"},
        created_by=editor,
    )
    assert scheduled_edits.apply_due() == 1
    live_story.refresh_from_db()
    assert live_story.title == "Talks in Almaty, corrected"
    edit.refresh_from_db()
    assert edit.applied_at is not None
    assert scheduled_edits.apply_due() == 0


def test_a_scheduled_lead_image_and_update_time_are_applied(live_story, editor, make_image):
    image = make_image()
    revised = timezone.now().replace(microsecond=0)
    edit = scheduled_edits.edit_schedule(
        article=live_story,
        changes={"lead_image": image, "revised_at": revised},
        apply_at=timezone.now() + timedelta(minutes=1),
        by=editor,
    )
    scheduled_edits.edit_apply(edit)
    live_story.refresh_from_db()
    assert live_story.lead_image == image
    assert live_story.revised_at == revised
    assert Article.objects.published().filter(pk=live_story.pk).exists()
