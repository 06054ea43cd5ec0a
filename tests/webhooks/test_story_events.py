import importlib
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import services
from articles.models import Article, Correction
from tests.articles import bilingual
from tests.helpers import SITE, change_url
from tests.webhooks.receiver import verify
from webhooks import story_events
from webhooks.models import Event, EventType, StoryState


def told(receiver, endpoint) -> list[tuple[str, dict]]:
    """Return (type, data) of each request the receiver got, every one verified."""
    return [
        (payload["type"], payload["data"])
        for payload in (verify(endpoint.secret, request) for request in receiver.requests)
    ]


def wait_until(moment) -> None:
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()) + 0.05)


def queued_checks(story: Article) -> list[DBTaskResult]:
    return [
        result
        for result in DBTaskResult.objects.filter(
            status="READY", task_path=story_events.sync.module_path
        )
        if result.args_kwargs["args"] == [story.pk] and result.run_after.year < 9999
    ]


def test_publishing_now_tells_story_published_with_a_thin_signed_payload(
    endpoint, receiver, run_tasks, make_article, editor
):
    story = make_article(title="The Almaty talks", slug="the-almaty-talks", status="draft")
    run_tasks()
    assert receiver.requests == []

    services.article_publish(article=story, by=editor)
    run_tasks()

    story.refresh_from_db()
    ((kind, data),) = told(receiver, endpoint)
    assert kind == "story.published"
    assert data == {
        "id": story.pk,
        "slug": "the-almaty-talks",
        "title": "The Almaty talks",
        "language": "en",
        "url": f"{SITE}/articles/the-almaty-talks/",
        "api_url": f"{SITE}/api/v1/stories/the-almaty-talks/",
        "published_at": story.publish_at.isoformat().replace("+00:00", "Z"),
        "updated_at": story.updated_at.isoformat().replace("+00:00", "Z"),
    }
    assert receiver.requests[0].json()["timestamp"].endswith("Z")


def test_a_story_saved_as_draft_tells_nothing(endpoint, receiver, run_tasks, make_article):
    story = make_article(status="draft")
    story.title = "Still a draft"
    story.save()

    run_tasks()

    assert receiver.requests == []
    assert not StoryState.objects.filter(story_id=story.pk).exists()


def test_a_scheduled_story_is_told_once_at_its_time_not_at_save_nor_per_reschedule(
    endpoint, receiver, run_tasks, make_article
):
    first_time = timezone.now() + timedelta(seconds=1)
    story = make_article(publish_at=first_time)
    run_tasks()
    assert receiver.requests == []
    assert [check.run_after for check in queued_checks(story)] == [first_time]

    # Rescheduled twice, the second time back to where it was.
    story.publish_at = first_time + timedelta(seconds=1)
    story.save()
    run_tasks()
    story.publish_at = first_time + timedelta(seconds=1.5)
    story.save()
    story.save()
    run_tasks()
    assert receiver.requests == []
    assert len(queued_checks(story)) == 3

    wait_until(first_time)
    run_tasks()
    assert receiver.requests == []

    wait_until(story.publish_at)
    run_tasks()
    run_tasks()

    ((kind, data),) = told(receiver, endpoint)
    assert kind == "story.published"
    assert data["published_at"] == story.publish_at.isoformat().replace("+00:00", "Z")
    assert queued_checks(story) == []
    assert Event.objects.count() == 1


def test_a_scheduled_story_withdrawn_before_its_time_is_never_told(
    endpoint, receiver, run_tasks, make_article, editor
):
    story = make_article(publish_at=timezone.now() + timedelta(seconds=1))
    run_tasks()

    services.article_unpublish(article=story, by=editor)
    run_tasks()
    wait_until(story.publish_at)
    run_tasks()

    assert receiver.requests == []
    assert not Event.objects.exists()


def test_a_scheduled_story_saved_before_webhooks_is_told_by_the_sweep(
    endpoint, receiver, run_tasks, make_article
):
    story = make_article(publish_at=timezone.now() + timedelta(seconds=1))
    run_tasks()
    # As if the check had never been queued (the story was scheduled before this app).
    DBTaskResult.objects.filter(pk__in=[check.pk for check in queued_checks(story)]).delete()
    wait_until(story.publish_at)
    run_tasks()
    assert receiver.requests == []

    story_events.sweep.enqueue()
    run_tasks()
    story_events.sweep.enqueue()
    run_tasks()

    assert [kind for kind, _data in told(receiver, endpoint)] == ["story.published"]


def test_editing_what_readers_see_tells_story_updated_with_the_parts_changed(
    endpoint, receiver, run_tasks, published_article
):
    run_tasks()
    published_article.title = "The Almaty talks, day two"
    published_article.save()
    Correction.objects.create(article=published_article, text="An earlier version misspelt a name.")
    published_article.tags.add("energy")

    run_tasks()

    kinds = [(kind, data.get("changes")) for kind, data in told(receiver, endpoint)]
    assert kinds == [
        ("story.published", None),
        ("story.updated", ["corrections", "tags", "title"]),
    ]
    _kind, data = told(receiver, endpoint)[1]
    assert data["title"] == "The Almaty talks, day two"


def test_a_save_that_changes_nothing_readers_see_tells_nothing(
    endpoint, receiver, run_tasks, published_article
):
    run_tasks()
    published_article.featured = True
    published_article.save()

    run_tasks()

    assert [kind for kind, _data in told(receiver, endpoint)] == ["story.published"]


def test_a_correction_changed_or_removed_tells_story_updated(
    endpoint, receiver, run_tasks, published_article
):
    correction = Correction.objects.create(article=published_article, text="A name was wrong.")
    run_tasks()
    correction.text = "A name was misspelt."
    correction.save()
    run_tasks()
    correction.delete()
    run_tasks()

    kinds = [(kind, data.get("changes")) for kind, data in told(receiver, endpoint)]
    assert kinds == [
        ("story.published", None),
        ("story.updated", ["corrections"]),
        ("story.updated", ["corrections"]),
    ]


def test_publishing_in_the_admin_tells_published_once_not_updated_for_its_tags(
    endpoint, receiver, run_tasks, make_article, editor_client, open_form
):
    story = make_article(status="draft", slug="gas-deal")
    run_tasks()
    data = open_form(editor_client, story, status="published", tags="energy, gas")

    response = editor_client.post(change_url(story), data)
    assert response.status_code == 302
    run_tasks()

    assert [kind for kind, _data in told(receiver, endpoint)] == ["story.published"]


def test_withdrawing_a_public_story_tells_story_unpublished_with_only_its_identity(
    endpoint, receiver, run_tasks, published_article, editor
):
    run_tasks()

    services.article_unpublish(article=published_article, by=editor)
    run_tasks()

    kind, data = told(receiver, endpoint)[-1]
    assert kind == "story.unpublished"
    assert data == {
        "id": published_article.pk,
        "slug": "the-almaty-talks",
        "language": "en",
        "url": f"{SITE}/articles/the-almaty-talks/",
        "reason": "withdrawn",
    }


def test_a_russian_story_deleted_is_told_gone_from_its_russian_address(
    endpoint, receiver, run_tasks, make_article, region, rubric
):
    newsroom = bilingual.build(make_article, region, rubric)
    run_tasks()
    story_id = newsroom.talks_ru.pk

    newsroom.talks_ru.delete()
    run_tasks()

    kind, data = told(receiver, endpoint)[-1]
    assert kind == "story.unpublished"
    assert (data["language"], data["url"]) == (
        "ru",
        f"{SITE}/ru/articles/peregovory-v-almaty/",
    )
    assert data["id"] == story_id


def test_the_upgrade_gives_told_stories_their_language_and_gone_ones_the_default(
    endpoint, receiver, run_tasks, make_article
):
    russian = make_article(slug="tolko-po-russki", language="ru")
    run_tasks()
    StoryState.objects.create(story_id=russian.pk + 1000, slug="long-gone", public=True)
    StoryState.objects.update(language="")
    migration = importlib.import_module("webhooks.migrations.0007_storystate_language")

    migration.copy_languages(apps, SimpleNamespace(connection=connection))

    assert dict(StoryState.objects.values_list("slug", "language")) == {
        "tolko-po-russki": "ru",
        "long-gone": "",
    }
    story_events.sync_story(russian.pk + 1000)
    run_tasks()
    kind, data = told(receiver, endpoint)[-1]
    assert (kind, data["language"], data["url"]) == (
        "story.unpublished",
        "en",
        f"{SITE}/articles/long-gone/",
    )


def test_deleting_a_public_story_tells_story_unpublished_deleted(
    endpoint, receiver, run_tasks, published_article
):
    run_tasks()
    story_id = published_article.pk

    published_article.delete()
    run_tasks()

    kind, data = told(receiver, endpoint)[-1]
    assert (kind, data["id"], data["reason"]) == ("story.unpublished", story_id, "deleted")


def test_a_public_story_rescheduled_goes_offline_then_is_told_again_at_its_new_time(
    endpoint, receiver, run_tasks, published_article
):
    run_tasks()
    published_article.publish_at = timezone.now() + timedelta(seconds=1)
    published_article.save()
    run_tasks()
    assert told(receiver, endpoint)[-1][1]["reason"] == "rescheduled"

    wait_until(published_article.publish_at)
    run_tasks()

    assert [kind for kind, _data in told(receiver, endpoint)] == [
        "story.published",
        "story.unpublished",
        "story.published",
    ]


def test_a_story_published_again_after_withdrawal_is_told_again(
    endpoint, receiver, run_tasks, published_article, editor
):
    run_tasks()
    published_article.status = Article.Status.DRAFT
    published_article.save()
    run_tasks()
    # Back online with the very same publication time.
    published_article.status = Article.Status.PUBLISHED
    published_article.save()
    run_tasks()

    assert [kind for kind, _data in told(receiver, endpoint)] == [
        "story.published",
        "story.unpublished",
        "story.published",
    ]
    assert len({request.webhook_id for request in receiver.requests}) == 3


def test_bulk_publishing_and_unpublishing_are_told_per_story(
    endpoint, receiver, run_tasks, make_article, editor
):
    drafts = [make_article(status="draft") for _ in range(3)]
    run_tasks()

    services.articles_publish(
        queryset=Article.objects.filter(pk__in=[s.pk for s in drafts]), by=editor
    )
    run_tasks()
    services.articles_unpublish(queryset=Article.objects.filter(pk=drafts[0].pk), by=editor)
    run_tasks()

    published = [data["id"] for kind, data in told(receiver, endpoint) if kind == "story.published"]
    unpublished = [
        data["id"] for kind, data in told(receiver, endpoint) if kind == "story.unpublished"
    ]
    assert sorted(published) == sorted(story.pk for story in drafts)
    assert unpublished == [drafts[0].pk]


def test_bulk_actions_in_the_admin_queue_the_looks_with_the_change(
    endpoint, receiver, run_tasks, make_article, editor_client
):
    drafts = [make_article(status="draft") for _ in range(2)]
    run_tasks()

    editor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_selected", "_selected_action": [story.pk for story in drafts]},
    )
    run_tasks()

    assert len(told(receiver, endpoint)) == 2


def test_an_endpoint_added_later_is_not_told_old_news(
    make_endpoint, receiver, run_tasks, published_article
):
    run_tasks()
    endpoint = make_endpoint()

    published_article.save()
    run_tasks()
    assert receiver.requests == []

    published_article.title = "A new headline"
    published_article.save()
    run_tasks()

    assert [kind for kind, _data in told(receiver, endpoint)] == ["story.updated"]


@pytest.mark.django_db
def test_a_story_public_before_its_first_look_with_an_unknown_digest_is_taken_as_it_is(
    endpoint, receiver, run_tasks, published_article
):
    # What the migration writes for the stories public when webhooks arrive.
    StoryState.objects.update_or_create(
        story_id=published_article.pk, defaults={"public": True, "digest": {}}
    )
    DBTaskResult.objects.all().delete()

    published_article.save()
    run_tasks()
    assert receiver.requests == []

    published_article.teaser = "A new lede."
    published_article.save()
    run_tasks()

    assert [data["changes"] for _kind, data in told(receiver, endpoint)] == [["teaser"]]


def test_only_subscribed_endpoints_hear_of_a_story(
    make_endpoint, receiver, run_tasks, make_article
):
    make_endpoint(events=[EventType.REVIEW_APPROVED])

    make_article()
    run_tasks()

    assert receiver.requests == []
    assert not Event.objects.exists()


def test_the_migration_takes_the_stories_public_then_as_told(
    endpoint, receiver, run_tasks, make_article
):
    public = make_article()
    scheduled = make_article(publish_at=timezone.now() + timedelta(days=1))
    # As before this app existed: no state, nothing queued.
    StoryState.objects.all().delete()
    DBTaskResult.objects.all().delete()
    migration = importlib.import_module("webhooks.migrations.0003_public_stories")

    migration.take_public_stories_as_told(apps, SimpleNamespace(connection=connection))

    assert list(StoryState.objects.values_list("story_id", "public")) == [(public.pk, True)]
    public.save()
    scheduled.save()
    run_tasks()
    assert receiver.requests == []


def test_a_story_that_comes_down_at_its_unpublish_time_is_told_unpublished_expired(
    endpoint, receiver, run_tasks, make_article
):
    story = make_article(unpublish_at=timezone.now() + timedelta(seconds=1))
    run_tasks()
    assert [kind for kind, _data in told(receiver, endpoint)] == ["story.published"]
    # A look is queued for the moment it comes down.
    assert [result.run_after for result in queued_checks(story)] == [story.unpublish_at]

    wait_until(story.unpublish_at)
    run_tasks()

    kind, data = told(receiver, endpoint)[-1]
    assert (kind, data["id"], data["reason"]) == ("story.unpublished", story.pk, "expired")


def test_the_sweep_tells_about_a_story_that_came_down_with_no_look_queued(
    endpoint, receiver, run_tasks, make_article
):
    story = make_article()
    run_tasks()
    Article.objects.filter(pk=story.pk).update(unpublish_at=timezone.now() - timedelta(seconds=1))

    assert story_events.sweep.call() == 1
    run_tasks()

    kind, data = told(receiver, endpoint)[-1]
    assert (kind, data["reason"]) == ("story.unpublished", "expired")
