"""The story list as the desk reads it: one status column that tells a scheduled story from a
live or an expired one, with its times in the newsroom's format and zone, and filters by
status, author, region and rubric."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author, Region
from serving.dates import admin_datetime
from tests.helpers import logged_in

CHANGELIST_URL = reverse("admin:articles_article_changelist")


@pytest.fixture(autouse=True)
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


@pytest.fixture
def desk(make_article):
    """One story in every state, by title."""
    now = timezone.now()
    return {
        "draft": make_article(title="A draft", status=Article.Status.DRAFT),
        "review": make_article(title="In the queue", status=Article.Status.REVIEW),
        "scheduled": make_article(title="Goes out later", publish_at=now + timedelta(hours=5)),
        "live": make_article(title="Out now", publish_at=now - timedelta(hours=1)),
        "until": make_article(
            title="Out for a while",
            publish_at=now - timedelta(hours=2),
            unpublish_at=now + timedelta(days=2),
        ),
        "expired": make_article(
            title="Came down",
            publish_at=now - timedelta(days=3),
            unpublish_at=now - timedelta(hours=3),
        ),
    }


def status_cells(client, **params) -> dict[str, str]:
    """Return each listed story's status cell as text, by title."""
    page = client.get(CHANGELIST_URL, params).content.decode()
    cells = {}
    for row in re.findall(r"<tr>.*?</tr>", page, flags=re.S):
        title = re.search(r'class="field-story"><a [^>]*>(.*?)<span', row, flags=re.S)
        state = re.search(r'<td class="field-state">(.*?)</td>', row, flags=re.S)
        if title and state:
            text = re.sub(r"<[^>]+>", " | ", state.group(1))
            cells[title.group(1)] = " ".join(
                part.strip() for part in text.split("|") if part.strip()
            )
    return cells


def titles(client, **params) -> list[str]:
    response = client.get(CHANGELIST_URL, params)
    assert response.status_code == 200
    return [story.title for story in response.context["cl"].result_list]


def test_status_column_tells_every_state_apart_with_its_times(editor_client, desk):
    cells = status_cells(editor_client)

    assert cells["A draft"] == "Draft Preview"
    assert cells["In the queue"] == "In review Preview"
    scheduled = desk["scheduled"]
    assert cells["Goes out later"] == (
        f"Scheduled for {admin_datetime(scheduled.publish_at)} Preview"
    )
    assert cells["Out now"] == f"Published since {admin_datetime(desk['live'].publish_at)}"
    assert cells["Out for a while"] == (
        f"Published since {admin_datetime(desk['until'].publish_at)} "
        f"until {admin_datetime(desk['until'].unpublish_at)}"
    )
    assert (
        cells["Came down"]
        == f"Expired since {admin_datetime(desk['expired'].unpublish_at)} Preview"
    )


def test_a_scheduled_story_is_not_listed_as_published(editor_client, desk):
    cells = status_cells(editor_client)

    assert cells["Goes out later"].startswith("Scheduled")
    assert not cells["Goes out later"].startswith("Published")


def test_times_are_written_one_way_in_the_newsroom_zone(editor_client, make_article):
    # 08:52 UTC is 09:52 in Berlin in winter.
    make_article(title="Winter story", publish_at=datetime(2025, 1, 9, 8, 52, tzinfo=UTC))

    cells = status_cells(editor_client)

    assert cells["Winter story"] == "Published since 9 Jan 2025, 09:52"


def test_status_column_costs_no_query_per_story(editor_client, make_article):
    now = timezone.now()
    writer = Author.objects.create(name="Nino Beridze", slug="nino-beridze")

    def add(count):
        for number in range(count):
            make_article(
                status=[Article.Status.DRAFT, Article.Status.PUBLISHED][number % 2],
                publish_at=now + timedelta(hours=number - count // 2),
                unpublish_at=now - timedelta(minutes=1) if number % 3 == 0 else None,
                authors=[writer],
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(CHANGELIST_URL).status_code == 200
        return len(captured)

    add(3)
    few = queries()
    add(12)

    assert queries() == few


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("draft", {"A draft"}),
        ("review", {"In the queue"}),
        ("scheduled", {"Goes out later"}),
        ("published", {"Out now", "Out for a while"}),
        ("expired", {"Came down"}),
        ("no-such-state", set()),
    ],
)
def test_status_filter_uses_the_public_rule(editor_client, desk, value, expected):
    assert set(titles(editor_client, status=value)) == expected


def test_old_links_by_stored_status_still_work(editor_client, desk):
    assert set(titles(editor_client, status__exact="published")) == {
        "Goes out later",
        "Out now",
        "Out for a while",
        "Came down",
    }


def test_status_column_sorts_by_state(editor_client, desk):
    # Column 3: after the selection box, the picture and the story.
    order = titles(editor_client, o="3")

    states = [order.index(title) for title in ("A draft", "In the queue", "Goes out later")]
    assert states == sorted(states)
    assert order.index("Goes out later") < order.index("Out now") < order.index("Came down")
    assert titles(editor_client, o="-3")[0] == "Came down"


def test_list_filters_by_author_region_and_rubric(editor_client, make_article, rubric):
    nino = Author.objects.create(name="Nino Beridze", slug="nino-beridze")
    Author.objects.create(name="Never credited", slug="never-credited")
    caucasus = Region.objects.create(name="South Caucasus", slug="south-caucasus")
    make_article(title="By Nino", authors=[nino], region=caucasus)
    make_article(title="By nobody")

    response = editor_client.get(CHANGELIST_URL)
    filters = {spec.title: spec for spec in response.context["cl"].filter_specs}
    offered = [choice["display"] for choice in filters["author"].choices(response.context["cl"])]

    assert "Nino Beridze" in offered
    assert "Never credited" not in offered
    assert titles(editor_client, authors__id__exact=nino.pk) == ["By Nino"]
    assert titles(editor_client, authors__isnull="True") == ["By nobody"]
    assert titles(editor_client, region__id__exact=caucasus.pk) == ["By Nino"]
    assert set(titles(editor_client, rubric__id__exact=rubric.pk)) == {"By Nino", "By nobody"}


def test_an_author_is_offered_only_the_bylines_of_their_own_stories(author_user, make_article):
    other = Author.objects.create(name="Someone Else", slug="someone-else")
    make_article(title="Mine", authors=[author_user.author_profile], status="draft")
    make_article(title="Theirs", authors=[other], status="draft")
    client = logged_in(author_user)

    response = client.get(CHANGELIST_URL)
    cl = response.context["cl"]
    filters = {spec.title: spec for spec in cl.filter_specs}
    offered = [choice["display"] for choice in filters["author"].choices(cl)]

    assert "Arthur Dent" in offered
    assert "Someone Else" not in offered
    assert "Someone Else" not in response.content.decode()
    assert titles(client, authors__id__exact=other.pk) == []
    # Their list (a DISTINCT query) sorts by status too.
    assert titles(client, o="3") == ["Mine"]


def test_story_form_says_which_zone_its_times_are_in(editor_client):
    page = editor_client.get(reverse("admin:articles_article_add")).content.decode()

    assert page.count("Times in Europe/Berlin.") >= 2


def test_history_shows_changed_times_as_the_admin_writes_them(editor_client, make_article):
    story = make_article(title="Rescheduled", publish_at=datetime(2025, 1, 9, 8, 52, tzinfo=UTC))
    story.publish_at = datetime(2025, 1, 10, 17, 0, tzinfo=UTC)
    story.status = Article.Status.DRAFT
    story.save()

    url = reverse("admin:articles_article_history", args=[story.pk])
    page = editor_client.get(url).content.decode()

    assert "9 Jan 2025, 09:52" in page
    assert "10 Jan 2025, 18:00" in page
    assert "+00:00" not in page
    # Choices by their labels, as the form shows them.
    assert re.search(r"Published\s*&nbsp;&rarr;&nbsp;&nbsp;Draft", page)
