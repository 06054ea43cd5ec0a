"""The dashboard (the admin index): each person's stories by state, and the editors' queue."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article
from audit.models import AuditEntry
from editorial import dashboard
from editorial.services import story_send_back
from tests.helpers import change_url, logged_in

INDEX_URL = reverse("admin:index")


@pytest.fixture
def author_client(author_user):
    return logged_in(author_user)


@pytest.fixture
def desk_of(make_article, author_user, editor):
    """Return ``fill(count)``: *count* stories of Arthur's in every state, each in review sent
    by him, one in three of the drafts sent back by Edna."""

    def fill(count: int) -> dict[str, list[Article]]:
        profile = author_user.author_profile
        now = timezone.now()
        stories = {key: [] for key in ("draft", "sent_back", "review", "scheduled", "published")}
        for number in range(count):
            mine = {"created_by": author_user, "authors": [profile]}
            stories["draft"].append(make_article(status="draft", **mine))
            stories["published"].append(make_article(**mine))
            stories["scheduled"].append(
                make_article(publish_at=now + timedelta(hours=number + 1), **mine)
            )
            waiting = make_article(status="draft", **mine)
            services.article_send_to_review(article=waiting, by=author_user)
            stories["review"].append(waiting)
            back = make_article(status="draft", **mine)
            services.article_send_to_review(article=back, by=author_user)
            story_send_back(article=back, by=editor, text=f"Note number {number}.")
            stories["sent_back"].append(back)
        return stories

    return fill


def shelves(desk) -> dict:
    return {shelf.key: shelf for shelf in desk.shelves}


# -- An author's stories ------------------------------------------------------------------------


def test_author_sees_their_stories_by_state_with_the_latest_few_of_each(
    author_user, desk_of, make_article
):
    stories = desk_of(7)
    make_article(status="draft", title="Someone else's draft")

    desk = dashboard.story_desk(author_user)

    by_key = shelves(desk)
    assert [shelf.key for shelf in desk.shelves] == [
        "sent_back",
        "draft",
        "review",
        "scheduled",
        "published",
    ]
    assert {key: shelf.count for key, shelf in by_key.items()} == dict.fromkeys(by_key, 7)
    assert all(len(shelf.stories) == dashboard.SHELF_LENGTH for shelf in desk.shelves)
    assert by_key["draft"].stories[0] == stories["draft"][-1], "the latest edited first"
    assert by_key["scheduled"].stories[0] == stories["scheduled"][0], "the soonest first"
    assert by_key["published"].stories[0] == stories["published"][0], "the newest first"
    sent_back = by_key["sent_back"].stories[0]
    assert (sent_back.note_text, sent_back.note_by) == ("Note number 6.", "edna")
    assert desk.queue == [] and not desk.is_editor


def test_author_dashboard_shows_the_note_and_links_to_each_story(author_client, desk_of):
    stories = desk_of(1)

    response = author_client.get(INDEX_URL)

    page = response.content.decode()
    assert 'id="my-stories"' in page
    assert "Sent back by edna" in page and "Note number 0." in page
    for (story,) in stories.values():
        assert f'href="{change_url(story)}"' in page
    assert 'id="review-queue"' not in page, "authors have no queue"


def test_author_without_stories_is_told_so_by_empty_shelves(author_client):
    page = author_client.get(INDEX_URL).content.decode()

    assert 'id="my-stories"' in page
    assert "(0)" in page


def test_a_story_sent_again_leaves_the_sent_back_shelf(author_user, desk_of):
    stories = desk_of(1)
    (back,) = stories["sent_back"]

    services.article_send_to_review(article=back, by=author_user)

    by_key = shelves(dashboard.story_desk(author_user))
    assert by_key["sent_back"].count == 0
    assert back in by_key["review"].stories


# -- The editors' queue -------------------------------------------------------------------------


def test_editor_sees_the_queue_oldest_first_with_its_age_and_who_sent_it(
    editor_client, editor, author_user, make_article
):
    older = make_article(title="Older request", status="draft")
    newer = make_article(title="Newer request", status="draft")
    services.article_send_to_review(article=older, by=author_user)
    services.article_send_to_review(article=newer, by=editor)
    AuditEntry.objects.filter(story=older, action=AuditEntry.Action.SENT_TO_REVIEW).update(
        at=timezone.now() - timedelta(hours=3, minutes=5)
    )

    desk = dashboard.story_desk(editor)

    assert [story.title for story in desk.queue] == ["Older request", "Newer request"]
    assert desk.queue[0].sent_by == "arthur"
    page = editor_client.get(INDEX_URL).content.decode()
    queue = page[page.index('id="review-queue"') :]
    assert queue.index("Older request") < queue.index("Newer request")
    assert "waiting 3\xa0hours" in queue
    assert "sent by arthur" in queue
    assert 'Stories waiting for review</a> <span class="story-desk-count">(2)' in queue


def test_a_story_in_review_without_an_audit_entry_counts_from_its_last_edit(editor, make_article):
    story = make_article(status="review")

    (queued,) = dashboard.story_desk(editor).queue

    assert queued == story
    assert queued.sent_at == story.updated_at
    assert queued.sent_by is None


def test_editor_sees_the_stories_recently_sent_back(editor_client, desk_of):
    desk_of(2)

    page = editor_client.get(INDEX_URL).content.decode()

    assert 'id="recently-sent-back"' in page
    assert "with the author" in page


def test_editor_without_own_stories_sees_no_empty_my_stories(editor_client):
    page = editor_client.get(INDEX_URL).content.decode()

    assert 'id="review-queue"' in page
    assert "No story is waiting for review." in page
    assert 'id="my-stories"' not in page


def test_moderators_get_no_desk(client, moderator, desk_of):
    desk_of(1)
    client.force_login(moderator)

    page = client.get(INDEX_URL).content.decode()

    assert 'id="my-stories"' not in page
    assert 'id="review-queue"' not in page


# -- Queries ------------------------------------------------------------------------------------


def count_queries(callable_) -> int:
    callable_()  # permissions and content types cached, as on any page after the first
    with CaptureQueriesContext(connection) as queries:
        callable_()
    return len(queries)


@pytest.mark.parametrize("who", ["author_user", "editor"])
def test_the_desk_costs_the_same_queries_for_3_and_30_stories(request, desk_of, who):
    user = request.getfixturevalue(who)
    desk_of(3)
    few = count_queries(lambda: dashboard.story_desk(user))

    desk_of(27)
    many = count_queries(lambda: dashboard.story_desk(user))

    assert few == many
    assert many <= 9


def test_the_dashboard_page_costs_the_same_queries_for_3_and_30_stories(editor, desk_of):
    client = logged_in(editor)
    desk_of(3)
    few = count_queries(lambda: client.get(INDEX_URL))

    desk_of(27)
    many = count_queries(lambda: client.get(INDEX_URL))

    assert few == many
