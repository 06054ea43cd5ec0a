"""Upgrading from the release with one correction note per story keeps every note, as a record.

The test takes the database back to that release's schema, writes stories, scheduled edits and
webhook states as it would have, migrates forward and reads them through today's models; then
back again. It runs on SQLite and on PostgreSQL.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.test_upgrade import latest, migrate

pytestmark = pytest.mark.django_db(transaction=True)

ONE_NOTE_RELEASE = [
    ("articles", "0017_gate_indexes_cover_unpublish_at"),
    ("webhooks", "0005_expired_reason"),
]


@pytest.fixture
def one_note_release():
    executor = migrate(ONE_NOTE_RELEASE)
    try:
        yield executor.loader.project_state(ONE_NOTE_RELEASE).apps
    finally:
        migrate(latest())


def test_correction_notes_become_records_at_their_time_and_come_back(one_note_release):
    old = one_note_release
    OldArticle = old.get_model("articles", "Article")
    region = old.get_model("articles", "Region").objects.create(name="Caucasus", slug="caucasus")
    rubric = old.get_model("articles", "Rubric").objects.create(name="Analysis", slug="analysis")
    now = timezone.now()

    def story(slug, **fields):
        return OldArticle.objects.create(
            title=slug,
            slug=slug,
            teaser="A teaser.",
            region=region,
            rubric=rubric,
            status="published",
            publish_at=now - timedelta(days=2),
            **fields,
        )

    revised_at = now - timedelta(hours=5)
    updated = story("updated", correction_note="We gave the wrong date.", revised_at=revised_at)
    silent = story("silent", correction_note="  A name was misspelt.\n")
    story("never-corrected")
    OldEdit = old.get_model("articles", "ScheduledEdit")
    waiting = OldEdit.objects.create(
        article=silent,
        apply_at=now + timedelta(hours=1),
        changes={"body": "<p>New.</p>", "correction_note": "We first wrote Tuesday."},
    )
    emptying = OldEdit.objects.create(
        article=silent, apply_at=now + timedelta(hours=2), changes={"correction_note": ""}
    )
    OldState = old.get_model("webhooks", "StoryState")
    OldState.objects.create(
        story_id=updated.pk, slug="updated", public=True, digest={"correction_note": "x"}
    )

    migrate(latest())

    from articles.models import Article, Correction, ScheduledEdit
    from webhooks.models import StoryState
    from webhooks.story_events import reader_digest

    records = list(Correction.objects.order_by("article_id").values_list("article_id", "text"))
    assert records == [(updated.pk, "We gave the wrong date."), (silent.pk, "A name was misspelt.")]
    # Dated when readers were told: the "Updated" time, else the story's last edit.
    assert Correction.objects.get(article_id=updated.pk).made_at == revised_at
    assert Correction.objects.get(article_id=silent.pk).made_at == silent.updated_at
    # A scheduled note is a correction added when the edit is applied; an emptied note, nothing.
    assert ScheduledEdit.objects.get(pk=waiting.pk).changes == {
        "body": "<p>New.</p>",
        "correction": "We first wrote Tuesday.",
    }
    assert ScheduledEdit.objects.get(pk=emptying.pk).changes == {}
    # Webhooks find the corrections as they were told them: no story.updated for the upgrade.
    state = StoryState.objects.get(story_id=updated.pk)
    now_digest = reader_digest(
        Article.objects.with_byline_and_tags().with_corrections().get(pk=updated.pk)
    )
    assert "correction_note" not in state.digest
    assert state.digest["corrections"] == now_digest["corrections"]

    # And back: each story's corrections in its note again, oldest first.
    Correction.objects.create(article_id=updated.pk, text="A second fix.", made_at=now)
    back = migrate(ONE_NOTE_RELEASE).loader.project_state(ONE_NOTE_RELEASE).apps
    notes = dict(
        back.get_model("articles", "Article").objects.values_list("slug", "correction_note")
    )
    assert notes == {
        "updated": "We gave the wrong date.\n\nA second fix.",
        "silent": "A name was misspelt.",
        "never-corrected": "",
    }
    assert back.get_model("articles", "ScheduledEdit").objects.get(pk=waiting.pk).changes == {
        "body": "<p>New.</p>",
        "correction_note": "We first wrote Tuesday.",
    }
    assert "correction_note" in back.get_model("webhooks", "StoryState").objects.get().digest
