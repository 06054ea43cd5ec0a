"""Reader pages with this release's blocks, checked by the Nu HTML Checker (vnu.jar): most read,
related stories, corrections and share links. The footer's pages are checked in
tests/e2e/test_pages_and_corrections.py."""

import pytest
from django.utils import timezone

from articles.corrections import correction_add
from readership.counting import hour_number, hour_start
from readership.models import StoryReads
from tests.html_checker import errors_of

pytestmark = pytest.mark.django_db


def test_the_pages_a_reader_meets_after_a_story_are_valid_html(
    tmp_path, client, make_article, editor
):
    story = make_article(title="Ports & “cargo” <compete>", tags=["ports", "trade"])
    for number in range(5):
        make_article(title=f"Neighbour {number}", tags=["ports"])
    correction_add(article=story, text="We gave the wrong <b>date</b> for the tender.", by=editor)
    correction_add(article=story, text="The port's owner was misnamed.", by=editor)
    now = timezone.now()
    StoryReads.objects.create(story=story, hour=hour_start(hour_number(now)), count=40)

    pages = {
        "home with most read": client.get("/").content,
        "story with corrections, related and share links": client.get(
            story.get_absolute_url()
        ).content,
        "tag page with its feed link": client.get("/tags/ports/").content,
    }
    story_page = pages["story with corrections, related and share links"].decode()
    assert story_page.count("Corrected") >= 2 and "Neighbour" in story_page
    assert "Most read" in pages["home with most read"].decode()
    assert errors_of(pages, tmp_path) == {name: [] for name in pages}
