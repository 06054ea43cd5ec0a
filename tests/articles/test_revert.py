"""Reverting a story to an earlier version: the words come back, the status stays, all on record.

Once, reverting a live story to its first (draft) version took it off the site without a
word, left nothing in the audit log, and wrote the version's time in UTC in the note.
"""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import formats, timezone

from articles.models import Article
from audit.models import AuditEntry
from tests.helpers import change_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_story(editor_client, make_article):
    """A story first saved as a draft, then rewritten and published: public now."""
    story = make_article(title="Draft headline", status=Article.Status.DRAFT)
    story.title = "Published headline"
    story.status = Article.Status.PUBLISHED
    story.save()
    return story


def revert_url(story, version) -> str:
    return reverse("admin:articles_article_simple_history", args=[story.pk, version.history_id])


def first_version(story):
    return story.history.order_by("history_date", "history_id").first()


def revert_form(client, story, version, **overrides) -> dict:
    """Return what the revert page's form posts back, as the page offers it."""
    page = client.get(revert_url(story, version))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = form_data(version.instance)
    data["status"] = form.initial["status"]
    data["loaded_version"] = form["loaded_version"].value()
    data["loaded_history"] = form["loaded_history"].value() or ""
    data.update(overrides)
    return data


def test_a_revert_brings_back_the_words_and_keeps_the_story_public(editor_client, live_story):
    version = first_version(live_story)
    assert version.status == Article.Status.DRAFT

    page = editor_client.get(revert_url(live_story, version)).content.decode()
    assert "keeps its current status, “Published” (public now)" in page

    response = editor_client.post(
        revert_url(live_story, version), revert_form(editor_client, live_story, version)
    )
    assert response.status_code == 302
    live_story.refresh_from_db()
    assert live_story.title == "Draft headline"
    assert live_story.is_published()


def test_a_revert_that_would_take_the_story_offline_asks_first_and_keeps_the_form(
    editor_client, live_story
):
    version = first_version(live_story)
    data = revert_form(
        editor_client, live_story, version, status=Article.Status.DRAFT, teaser="Kept teaser."
    )

    refused = editor_client.post(revert_url(live_story, version), data)

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "This story is public now" in page
    assert "would take it off the site" in page
    assert "Kept teaser." in page
    live_story.refresh_from_db()
    assert live_story.title == "Published headline"
    assert live_story.is_published()

    data["confirm_status_change"] = "on"
    assert editor_client.post(revert_url(live_story, version), data).status_code == 302
    live_story.refresh_from_db()
    assert not live_story.is_published()
    actions = set(AuditEntry.objects.filter(story=live_story).values_list("action", flat=True))
    assert {AuditEntry.Action.REVERTED, AuditEntry.Action.UNPUBLISHED} <= actions


def test_a_revert_that_would_put_a_draft_online_asks_first(editor_client, make_article):
    story = make_article(title="Published once", status=Article.Status.PUBLISHED)
    story.title = "Withdrawn"
    story.status = Article.Status.DRAFT
    story.save()
    version = first_version(story)

    data = revert_form(editor_client, story, version, status=Article.Status.PUBLISHED)
    refused = editor_client.post(revert_url(story, version), data)

    assert refused.status_code == 200
    assert "would put it on the site" in refused.content.decode()
    story.refresh_from_db()
    assert not story.is_published()


def test_a_revert_is_in_the_audit_log_with_who_which_version_and_what_changed(
    editor_client, editor, live_story
):
    version = first_version(live_story)
    editor_client.post(
        revert_url(live_story, version), revert_form(editor_client, live_story, version)
    )

    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVERTED)
    assert entry.actor == editor
    assert entry.story_id == live_story.pk
    assert entry.details["version"] == version.history_id
    assert entry.details["fields"] == ["title"]
    log_page = editor_client.get(reverse("admin:audit_auditentry_changelist")).content.decode()
    assert "reverted to an earlier version" in log_page


def test_the_revert_note_gives_the_time_in_the_sites_time_zone(editor_client, live_story, settings):
    settings.TIME_ZONE = "Asia/Tbilisi"  # four hours from UTC all year
    version = first_version(live_story)
    editor_client.post(
        revert_url(live_story, version), revert_form(editor_client, live_story, version)
    )

    reason = live_story.history.latest().history_change_reason
    local = formats.date_format(timezone.localtime(version.history_date), "DATETIME_FORMAT")
    utc = formats.date_format(version.history_date, "DATETIME_FORMAT")
    assert local != utc
    assert reason == f"Reverted to the version of {local}"


def test_no_version_shows_none_for_its_change_reason(editor_client, published_article):
    editor_client.post(
        change_url(published_article), form_data(published_article, title="A new headline")
    )

    assert set(published_article.history.values_list("history_change_reason", flat=True)) == {""}
    history = editor_client.get(
        reverse("admin:articles_article_history", args=[published_article.pk])
    )
    cells = [row.history_change_reason for row in history.context["page_obj"]]
    assert cells and None not in cells


def test_the_upgrade_blanks_the_none_reasons_of_older_versions(published_article):
    published_article.history.update(history_change_reason=None)
    migration = importlib.import_module("articles.migrations.0010_history_reasons")

    migration.blank_missing_reasons(apps, None)

    assert set(published_article.history.values_list("history_change_reason", flat=True)) == {""}
