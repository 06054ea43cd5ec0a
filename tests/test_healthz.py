"""/healthz tells a load balancer whether this app server can serve readers."""

from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.urls import reverse

CLOSED_PORT_URL = "redis://127.0.0.1:1/0"


@pytest.fixture
def database_down(db):
    """Make every query on the default database fail as if the server had gone away."""
    refused = OperationalError("connection refused (simulated)")
    # Restored before the test database's own teardown, which needs the connection.
    with mock.patch.object(connections["default"], "cursor", side_effect=refused):
        yield


def test_healthz_reports_database_and_cache_reachable(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"database": "ok", "cache": "ok", "status": "ok"}


def test_healthz_lives_at_a_fixed_address(db):
    assert reverse("healthz") == "/healthz"


def test_healthz_is_never_cached_and_sets_no_cookie(client, db):
    response = client.get("/healthz")

    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_healthz_costs_one_query_and_no_session(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")

    assert response.status_code == 200


def test_healthz_answers_503_when_the_database_is_down(client, db, database_down):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "unavailable", "cache": "ok", "status": "unavailable"}


def test_healthz_keeps_the_server_in_rotation_when_only_the_cache_is_down(client, db, settings):
    settings.CACHES = {
        "default": {"BACKEND": "serving.cache.ResilientRedisCache", "LOCATION": CLOSED_PORT_URL}
    }

    response = client.get("/healthz")

    # Pages are served uncached without Redis, so the balancer should keep sending traffic.
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "unavailable", "status": "degraded"}


def test_healthz_refuses_to_change_anything(client, db):
    assert client.post("/healthz").status_code == 405


def test_healthz_answers_plain_http_when_https_is_enforced(client, db, settings):
    """Load balancers probe over plain HTTP; readers are still sent to HTTPS."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
