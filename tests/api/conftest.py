"""Fixtures for the content API's tests: partner keys, scheduled stories, reading as a client."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiKey
from api.services import api_key_create
from articles.models import Article


@pytest.fixture(autouse=True)
def long_lease(settings):
    """Keep the page cache's lease for the whole test, as tests/test_pagecache.py does."""
    settings.PAGE_CACHE_LEASE_SECONDS = 600


@pytest.fixture
def make_key(db) -> Callable[..., tuple[ApiKey, str]]:
    """Return ``make_key(scopes=(), **fields)``: a stored key and its token."""

    def make(scopes=(), **fields) -> tuple[ApiKey, str]:
        fields.setdefault("name", "Caucasus Wire")
        key = ApiKey(scopes=list(scopes), **fields)
        token = api_key_create(key=key, by=None)
        return key, token

    return make


@pytest.fixture
def embargo_key(make_key) -> tuple[ApiKey, str]:
    return make_key(scopes=[ApiKey.Scope.EMBARGO])


@pytest.fixture
def scheduled_article(make_article) -> Article:
    """A published story whose time has not come: under embargo until tomorrow."""
    return make_article(
        title="The summit communiqué",
        slug="summit-communique",
        publish_at=timezone.now() + timedelta(days=1),
    )


@pytest.fixture
def api_get(client) -> Callable:
    """Return ``api_get(path, token=None, headers=None, **params)``: a GET as a client sends it."""

    def get(path: str, token: str | None = None, headers: dict | None = None, **params):
        extra = {
            f"HTTP_{name.upper().replace('-', '_')}": value
            for name, value in (headers or {}).items()
        }
        if token is not None:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        url = path if path.startswith("/") else f"/api/v1/{path}"
        return client.get(url, params, **extra)

    return get
