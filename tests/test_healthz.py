"""/healthz tells a load balancer whether this app server can serve readers."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.worker.tasks import leave_a_mark
from worker import supervision

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
    assert response.json() == {
        "database": "ok",
        "cache": "ok",
        "queue": QUIET_QUEUE,
        "status": "ok",
    }


QUIET_QUEUE = {"status": "ok", "waiting": 0, "oldest_wait_seconds": 0.0, "running": 0, "workers": 0}


def test_healthz_reports_the_queue_and_its_workers(client, db):
    supervision.beat("w1", timezone.now())
    leave_a_mark.enqueue("/dev/null", "x")

    queue = client.get("/healthz").json()["queue"]

    assert queue["status"] == "ok"
    assert queue["waiting"] == 1
    assert queue["workers"] == 1


def test_healthz_is_degraded_when_the_oldest_task_has_waited_too_long(client, db, settings):
    leave_a_mark.enqueue("/dev/null", "x")
    DBTaskResult.objects.update(
        enqueued_at=timezone.now() - timedelta(seconds=settings.QUEUE_STUCK_SECONDS + 30)
    )

    response = client.get("/healthz")

    # Readers are still served: mail and webhooks wait, so the server stays in rotation.
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    assert report["queue"]["status"] == "stuck"
    assert report["queue"]["oldest_wait_seconds"] > settings.QUEUE_STUCK_SECONDS


def test_a_task_deferred_to_later_does_not_count_as_stuck(client, db, settings):
    later = timezone.now() + timedelta(days=1)
    leave_a_mark.using(run_after=later).enqueue("/dev/null", "x")
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(days=2))

    assert client.get("/healthz").json()["queue"] == QUIET_QUEUE


def test_healthz_lives_at_a_fixed_address(db):
    assert reverse("healthz") == "/healthz"


def test_healthz_is_never_cached_and_sets_no_cookie(client, db):
    response = client.get("/healthz")

    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_healthz_costs_three_queries_and_no_session(client, db, django_assert_num_queries):
    # SELECT 1, the queue's state, the live workers.
    with django_assert_num_queries(3):
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
    assert response.json() == {
        "database": "ok",
        "cache": "unavailable",
        "queue": QUIET_QUEUE,
        "status": "degraded",
    }


def test_healthz_refuses_to_change_anything(client, db):
    assert client.post("/healthz").status_code == 405


def test_healthz_answers_plain_http_when_https_is_enforced(client, db, settings):
    """Load balancers probe over plain HTTP; readers are still sent to HTTPS."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def test_healthz_is_degraded_when_a_task_runs_but_no_worker_is_alive(client, db):
    leave_a_mark.enqueue("/dev/null", "x")
    DBTaskResult.objects.get().claim("killed")

    report = client.get("/healthz").json()

    assert report["queue"]["status"] == "stuck"
    assert report["status"] == "degraded"
