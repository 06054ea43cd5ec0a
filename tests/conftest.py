from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Region, Rubric


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Keep uploads and renditions out of the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
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
