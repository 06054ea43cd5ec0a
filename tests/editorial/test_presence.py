"""Editors see who else has a story open: "Being edited by … since …"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from editorial.models import EditPresence
from tests.helpers import change_url, logged_in


@pytest.fixture
def story(make_article) -> Article:
    return make_article(title="Gas talks in Baku", slug="gas-talks-in-baku", status="draft")


def test_editors_see_who_else_has_the_story_open(story, editor, second_editor):
    edna, bruno = logged_in(editor), logged_in(second_editor)
    edna.get(change_url(story))

    page = bruno.get(change_url(story)).content.decode()
    own_page = edna.get(change_url(story)).content.decode()

    since = timezone.localtime(EditPresence.objects.get(user=editor).since).strftime("%H:%M")
    assert f"Being edited by edna since {since}." in page
    assert "Being edited by" not in own_page.replace("Being edited by bruno", "")


def test_presence_expires_after_a_few_minutes(story, editor, second_editor, settings):
    edna, bruno = logged_in(editor), logged_in(second_editor)
    edna.get(change_url(story))
    EditPresence.objects.filter(user=editor).update(
        seen_at=timezone.now() - timedelta(seconds=settings.EDITORIAL_PRESENCE_SECONDS + 1)
    )

    assert "Being edited by" not in bruno.get(change_url(story)).content.decode()


def test_saving_and_leaving_the_page_ends_presence(story, editor, second_editor, open_form):
    edna, bruno = logged_in(editor), logged_in(second_editor)
    edna.post(change_url(story), open_form(edna, story, title="Saved and gone"))

    assert "Being edited by edna" not in bruno.get(change_url(story)).content.decode()
