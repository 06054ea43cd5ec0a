"""Found by attacking scheduled edits from outside: each test a hole that was open, and stays
closed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import scheduled_edits
from articles.models import Article
from audit.models import AuditEntry
from tests.helpers import change_url

pytestmark = pytest.mark.django_db


def test_a_scheduled_lead_image_deleted_before_its_time_leaves_the_story_its_picture(
    make_article, make_image, editor
):
    current = make_image(title="The picture readers see")
    story = make_article(title="Talks in Almaty", lead_image=current)
    replacement = make_image(title="The picture for 9:00")
    edit = scheduled_edits.edit_schedule(
        article=story,
        changes={"title": "Talks in Almaty, corrected", "lead_image": replacement},
        apply_at=timezone.now() + timedelta(minutes=1),
        by=editor,
    )
    # Nothing in the library protects a picture an edit only waits to show.
    assert not replacement.is_in_use()
    replacement.delete()

    scheduled_edits.edit_apply(edit)

    story.refresh_from_db()
    assert story.title == "Talks in Almaty, corrected"
    assert story.lead_image == current
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EDIT_APPLIED)
    assert entry.details["skipped"] == ["lead_image"]


def test_a_scheduled_edit_that_removes_the_lead_image_still_removes_it(
    make_article, make_image, editor
):
    story = make_article(lead_image=make_image())
    edit = scheduled_edits.edit_schedule(
        article=story,
        changes={"lead_image": None},
        apply_at=timezone.now() + timedelta(minutes=1),
        by=editor,
    )

    scheduled_edits.edit_apply(edit)

    story.refresh_from_db()
    assert story.lead_image is None


def local_fields(name: str, moment) -> dict:
    local = timezone.localtime(moment)
    return {f"{name}_0": local.strftime("%Y-%m-%d"), f"{name}_1": local.strftime("%H:%M:%S")}


def test_publishing_a_story_whose_unpublish_time_has_passed_is_refused_with_a_reason(
    editor_client, open_form, make_article
):
    now = timezone.now()
    draft = make_article(
        title="Offer of the week",
        status=Article.Status.DRAFT,
        publish_at=now - timedelta(days=3),
        unpublish_at=now - timedelta(days=1),
    )
    data = open_form(
        editor_client,
        draft,
        status=Article.Status.PUBLISHED,
        **local_fields("unpublish_at", draft.unpublish_at),
    )

    response = editor_client.post(change_url(draft), data)

    assert response.status_code == 200
    assert "This time has passed, so the story would not appear" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT

    data.update(local_fields("unpublish_at", now + timedelta(days=1)))
    assert editor_client.post(change_url(draft), data).status_code == 302
    assert draft.is_published()


def test_an_expired_story_can_still_be_corrected_without_coming_back(
    editor_client, open_form, make_article
):
    now = timezone.now()
    expired = make_article(
        title="Offer of last week",
        publish_at=now - timedelta(days=3),
        unpublish_at=now - timedelta(days=1),
    )
    data = open_form(
        editor_client,
        expired,
        title="Offer of last week, corrected",
        **local_fields("unpublish_at", expired.unpublish_at),
    )

    assert editor_client.post(change_url(expired), data).status_code == 302
    expired.refresh_from_db()
    assert expired.title == "Offer of last week, corrected"
    assert expired.is_expired()
