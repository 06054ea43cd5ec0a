from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import services
from articles.models import Article, Author
from tests.helpers import staff


@pytest.fixture
def author_user(django_user_model):
    # Without an author profile: tests here give it one when they need it.
    return staff(django_user_model, "arthur", "Authors")


def updates_in(queries) -> list[str]:
    return [query["sql"] for query in queries if query["sql"].lstrip().upper().startswith("UPDATE")]


def test_editor_publishes_a_draft_which_becomes_public(editor, draft_article):
    services.article_publish(article=draft_article, by=editor)

    assert Article.objects.published().filter(pk=draft_article.pk).exists()
    version = draft_article.history.latest()
    assert version.history_user == editor
    assert version.history_change_reason == "Published"


def test_publishing_an_old_draft_stamps_it_with_the_current_time(editor, make_article):
    last_week = timezone.now() - timedelta(days=7)
    draft = make_article(status=Article.Status.DRAFT, publish_at=last_week)

    before = timezone.now()
    services.article_publish(article=draft, by=editor)

    draft.refresh_from_db()
    assert draft.publish_at >= before


def test_publishing_keeps_a_future_time_so_the_story_is_scheduled(editor, make_article):
    tomorrow = timezone.now() + timedelta(days=1)
    draft = make_article(status=Article.Status.DRAFT, publish_at=tomorrow)

    services.article_publish(article=draft, by=editor)

    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.publish_at == tomorrow
    assert draft.is_scheduled
    assert not Article.objects.published().filter(pk=draft.pk).exists()


def test_author_cannot_publish_or_unpublish(author_user, draft_article, published_article):
    with pytest.raises(PermissionDenied):
        services.article_publish(article=draft_article, by=author_user)
    with pytest.raises(PermissionDenied):
        services.article_unpublish(article=published_article, by=author_user)

    draft_article.refresh_from_db()
    published_article.refresh_from_db()
    assert draft_article.status == Article.Status.DRAFT
    assert published_article.status == Article.Status.PUBLISHED


def test_unpublishing_takes_the_story_off_the_site(editor, published_article):
    services.article_unpublish(article=published_article, by=editor)

    published_article.refresh_from_db()
    assert published_article.status == Article.Status.DRAFT
    assert not Article.objects.published().filter(pk=published_article.pk).exists()


def test_author_sends_a_draft_to_review(author_user, draft_article):
    services.article_send_to_review(article=draft_article, by=author_user)

    draft_article.refresh_from_db()
    assert draft_article.status == Article.Status.REVIEW


def test_author_cannot_send_a_published_story_back_to_review(author_user, published_article):
    with pytest.raises(PermissionDenied):
        services.article_send_to_review(article=published_article, by=author_user)


def test_bulk_publish_is_one_update_and_writes_a_version_per_story(editor, make_article):
    drafts = [make_article(status=Article.Status.DRAFT) for _ in range(5)]
    already_out = make_article()

    with CaptureQueriesContext(connection) as queries:
        count = services.articles_publish(queryset=Article.objects.all(), by=editor)

    assert count == 5
    assert len(updates_in(queries)) == 1
    assert Article.objects.published().count() == 6
    for draft in drafts:
        version = draft.history.latest()
        assert version.status == Article.Status.PUBLISHED
        assert version.history_user == editor
        assert version.history_change_reason == "Published"
    # The story that was out already is left alone: no new version.
    assert already_out.history.count() == 1


def test_bulk_publish_refuses_authors(author_user, make_article):
    make_article(status=Article.Status.DRAFT)

    with pytest.raises(PermissionDenied):
        services.articles_publish(queryset=Article.objects.all(), by=author_user)

    assert not Article.objects.published().exists()


def test_bulk_unpublish_changes_only_published_stories(editor, make_article):
    make_article(status=Article.Status.REVIEW)
    make_article()
    make_article()

    with CaptureQueriesContext(connection) as queries:
        count = services.articles_unpublish(queryset=Article.objects.all(), by=editor)

    assert count == 2
    assert len(updates_in(queries)) == 1
    assert Article.objects.filter(status=Article.Status.DRAFT).count() == 2
    assert Article.objects.filter(status=Article.Status.REVIEW).count() == 1


def test_bulk_send_to_review_by_an_author_skips_published_stories(author_user, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    published = make_article()

    count = services.articles_send_to_review(queryset=Article.objects.all(), by=author_user)

    assert count == 1
    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.status == Article.Status.REVIEW
    assert published.status == Article.Status.PUBLISHED


def test_bulk_versions_keep_the_authors_and_tags(editor, make_article):
    writer = Author.objects.create(name="Nino Beridze", slug="nino-beridze")
    draft = make_article(status=Article.Status.DRAFT, authors=[writer], tags=["Energy", "Gas"])

    services.articles_publish(queryset=Article.objects.filter(pk=draft.pk), by=editor)

    version = draft.history.latest()
    assert version.author_ids() == [writer.pk]
    assert version.author_names() == "Nino Beridze"
    assert version.tags_snapshot == "Energy, Gas"


def test_bulk_action_on_a_distinct_queryset_works(author_user, make_article):
    """An author's admin queryset is DISTINCT, which an UPDATE cannot take directly."""
    profile = Author.objects.create(name="Arthur", slug="arthur", user=author_user)
    own = make_article(status=Article.Status.DRAFT, authors=[profile])
    make_article(status=Article.Status.DRAFT)

    count = services.articles_send_to_review(
        queryset=Article.objects.editable_by(author_user), by=author_user
    )

    assert count == 1
    own.refresh_from_db()
    assert own.status == Article.Status.REVIEW
