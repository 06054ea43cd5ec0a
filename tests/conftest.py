from collections.abc import Callable
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.feeds import stored_size
from articles.models import Article, Author, Region, Rubric
from reviews.models import ModerationSettings
from tests.helpers import READER_IP, review_data, staff


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Keep uploads and renditions out of the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # Tests store files under fixed names, each in its own folder: sizes learnt in one test
    # must not answer for another's file.
    stored_size.cache_clear()
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_cache():
    """Start each test with an empty cache so rate limits and cached pages do not leak."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Render every page: tests count a view's queries, not the page cache's.

    The page cache has its own tests (tests/test_pagecache.py), which turn it on with the
    ``page_cache`` fixture.
    """
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600


@pytest.fixture
def region(db) -> Region:
    return Region.objects.create(name="Post-Soviet region", slug="post-soviet-region")


@pytest.fixture
def rubric(db) -> Rubric:
    return Rubric.objects.create(name="Road sign", slug="road-sign")


@pytest.fixture
def make_article(db, region, rubric) -> Callable[..., Article]:
    counter = iter(range(1, 1_000_000))

    def make(**fields) -> Article:
        number = next(counter)
        fields.setdefault("title", f"Story number {number}")
        fields.setdefault("slug", f"story-number-{number}")
        fields.setdefault("teaser", f"The lede of story number {number}.")
        fields.setdefault("body", f"<p>The body of story number {number}.</p>")
        fields.setdefault("region", region)
        fields.setdefault("rubric", rubric)
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("publish_at", timezone.now() - timedelta(hours=number))
        tags = fields.pop("tags", ())
        authors = fields.pop("authors", ())
        article = Article.objects.create(**fields)
        if tags:
            article.tags.add(*tags)
        if authors:
            article.authors.add(*authors)
        return article

    return make


@pytest.fixture
def published_article(make_article) -> Article:
    return make_article(title="The Almaty talks", slug="the-almaty-talks")


@pytest.fixture
def draft_article(make_article) -> Article:
    return make_article(title="An unfinished draft", slug="unfinished-draft", status="draft")


# -- People and readers (helpers in tests/helpers.py) -----------------------------------------


@pytest.fixture
def editor(db, django_user_model):
    return staff(django_user_model, "edna", "Editors")


@pytest.fixture
def author_user(db, django_user_model):
    """Return an author with an author profile, so their stories can credit them."""
    user = staff(django_user_model, "arthur", "Authors")
    Author.objects.create(name="Arthur Dent", slug="arthur-dent", user=user)
    return user


@pytest.fixture
def moderator(db, django_user_model):
    return staff(django_user_model, "mona", "Moderators")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def rules(db) -> ModerationSettings:
    """Return the editors' review rules as the migration created them."""
    return ModerationSettings.load()


@pytest.fixture
def post_review(client) -> Callable:
    """Post a story's "Leave a review" form as a reader would."""

    def post(article: Article, *, data: dict | None = None, ip: str = READER_IP, **overrides):
        payload = data if data is not None else review_data(article, **overrides)
        return client.post(
            reverse("reviews:submit", args=(article.pk,)),
            payload,
            REMOTE_ADDR=ip,
            HTTP_USER_AGENT="Mozilla/5.0 (test reader)",
        )

    return post
