"""Found by attacking the review workflow, expiry and the desk from outside: each test a hole
that was open, and stays closed."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, timezone

from articles.models import Article
from editorial import dashboard, schedule
from editorial.models import PreviewLink, PreviewOpening
from editorial.services import preview_link_create
from reviews.models import Review
from tests.editorial.test_preview_links import create_link, open_link, share_url

pytestmark = pytest.mark.django_db

REVIEW_QUEUE = reverse("admin:reviews_review_changelist")


@pytest.fixture
def taken_down(make_article):
    """Return a story that was live and came down at its "unpublish at" a minute ago."""
    return make_article(
        title="The settlement nobody may print",
        slug="the-settlement",
        publish_at=timezone.now() - timedelta(days=2),
        unpublish_at=timezone.now() - timedelta(minutes=1),
    )


def test_a_preview_link_shared_before_publication_does_not_show_the_story_once_it_expired(
    client, make_article, editor
):
    story = make_article(
        title="The settlement nobody may print",
        status=Article.Status.DRAFT,
        unpublish_at=timezone.now() + timedelta(days=1),
    )
    _link, token = preview_link_create(article=story, by=editor, hours=24 * 14)
    assert open_link(client, token).status_code == 200
    # Published, then taken down at its time (a legal takedown): the site shows nothing.
    Article.objects.filter(pk=story.pk).update(
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(hours=2),
        unpublish_at=timezone.now() - timedelta(minutes=1),
    )
    assert client.get(story.get_absolute_url()).status_code == 404

    response = open_link(client, token)

    assert response.status_code == 410
    page = response.content.decode()
    assert "The settlement nobody may print" not in page
    assert "no longer available" in page
    assert "no-store" in response["Cache-Control"]
    assert PreviewOpening.objects.filter(link__article=story).count() == 1, "only the first"


def test_an_expired_story_gets_no_new_preview_link(editor_client, taken_down):
    page = editor_client.get(reverse("admin:articles_article_change", args=[taken_down.pk]))
    assert "its preview links no longer open it" in page.content.decode()

    response = editor_client.post(share_url(taken_down), {"hours": 48, "label": ""}, follow=True)

    assert not PreviewLink.objects.filter(article=taken_down).exists()
    assert "came down at its “unpublish at” time" in response.content.decode()


def test_a_draft_still_gets_its_preview_link(editor_client, client, make_article):
    draft = make_article(title="Still a draft", status=Article.Status.DRAFT)
    _url, token = create_link(editor_client, draft)
    assert "Still a draft" in open_link(client, token).content.decode()


@pytest.mark.parametrize("state", ["draft", "expired", "review"])
def test_a_moderator_cannot_read_any_story_title_through_the_queue_story_filter(
    client, moderator, make_article, taken_down, state
):
    secret = {
        "draft": lambda: make_article(title="Unpublished scoop", status=Article.Status.DRAFT),
        "review": lambda: make_article(title="Unpublished scoop", status=Article.Status.REVIEW),
        "expired": lambda: taken_down,
    }[state]()
    client.force_login(moderator)

    response = client.get(REVIEW_QUEUE, {"article": str(secret.pk)})

    assert response.status_code == 200
    assert secret.title not in response.content.decode()


def test_the_queue_story_filter_still_names_a_story_its_reviews_are_on(
    client, moderator, make_article
):
    story = make_article(title="A story readers wrote about")
    Review.objects.create(
        article=story, name="Reader", email="r@example.org", body="Thanks for this."
    )
    client.force_login(moderator)

    response = client.get(REVIEW_QUEUE, {"article": str(story.pk)})

    filters = response.content.decode().split('id="changelist-filter"')[1]
    assert "A story readers wrote about" in filters


def test_an_expired_story_with_an_empty_body_wakes_nobody(make_article, taken_down, capsys):
    Article.objects.filter(pk=taken_down.pk).update(body="<p> </p>")
    make_article(title="Live and fine")

    assert schedule.find_problems() == []
    call_command("check_schedule")
    assert capsys.readouterr().out.startswith("SCHEDULE OK - no problems")


def test_admin_index_gives_the_next_scheduled_change_not_a_past_publication_time(
    editor_client, make_article
):
    now = timezone.now()
    make_article(
        title="Live until tomorrow",
        publish_at=now - timedelta(days=3),
        unpublish_at=now + timedelta(days=1),
    )
    goes_up = make_article(title="Goes up in two days", publish_at=now + timedelta(days=2))

    index = editor_client.get(reverse("admin:index")).content.decode()

    summary = index.split('id="schedule-summary"')[1].split("</table>")[0]
    comes_down = formats.date_format(
        timezone.localtime(now + timedelta(days=1)), "SHORT_DATETIME_FORMAT"
    )
    assert f"next {comes_down}" in summary, summary
    assert goes_up.title not in summary


def test_the_published_shelf_links_to_the_stories_live_now(author_user, make_article):
    profile = author_user.author_profile
    live = make_article(title="Live one")
    expired = make_article(
        title="Expired one",
        publish_at=timezone.now() - timedelta(days=2),
        unpublish_at=timezone.now() - timedelta(hours=1),
    )
    for story in (live, expired):
        story.authors.add(profile)

    shelves = {shelf.key: shelf for shelf in dashboard.story_desk(author_user).shelves}

    assert shelves["published"].count == 1
    assert shelves["published"].changelist_url.endswith("?status=published")
