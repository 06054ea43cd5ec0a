"""A worker killed in the middle of a delivery loses nothing: the next one makes it, once.

Real ``manage.py worker`` processes on the test database, which only PostgreSQL lets another
process see (SQLite's test database lives in this process's memory). The killed attempt held
no lock and left a lease: the next worker makes the attempt again once the lease has ended.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.webhooks.receiver import HOLD, verify
from webhooks.delivery import LEASE_MARGIN, deliver
from webhooks.models import Delivery, Endpoint, EventType

pytestmark = pytest.mark.slow

STALE_SECONDS = 3
TIMEOUT_SECONDS = 5


def database_url() -> str:
    """Return the URL of the test database this process uses, for a worker to use too."""
    database = connection.settings_dict
    user = quote(database["USER"] or "", safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{quote(database['NAME'], safe='')}"


@pytest.fixture
def start_worker(tmp_path):
    """Return a function starting a ``manage.py worker`` on the test database."""
    started: list[subprocess.Popen] = []
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "NEWSROOM_WORKER_STALE_SECONDS": str(STALE_SECONDS),
        "NEWSROOM_WORKER_BEAT_SECONDS": "0.5",
        "NEWSROOM_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
        # The held request must outlast the kill (only the kill may end the first attempt),
        # and the lease it takes (this and webhooks.delivery.LEASE_MARGIN) is waited out.
        "NEWSROOM_WEBHOOK_TIMEOUT": str(TIMEOUT_SECONDS),
    }

    def start() -> subprocess.Popen:
        log = (tmp_path / f"worker-{len(started)}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "0.1"],
            cwd=Path(settings.BASE_DIR),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Gave up waiting for {what}.")
        time.sleep(0.1)


def test_a_worker_killed_during_a_delivery_loses_nothing_and_the_next_one_delivers_once(
    transactional_db, receiver, start_worker, make_article
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs PostgreSQL: a worker is another process, and SQLite's test database lives "
            "in this process's memory (run with DATABASE_URL=postgres://…)."
        )
    endpoint = Endpoint.objects.create(url=receiver.url(), events=[EventType.STORY_PUBLISHED])
    receiver.plan(HOLD)
    story = make_article(title="The Almaty talks", slug="the-almaty-talks")

    first = start_worker()
    wait_for(lambda: len(receiver.requests) == 1, 60, "the first attempt to reach the receiver")
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)

    start_worker()
    wait_for(
        lambda: Delivery.objects.filter(status=Delivery.Status.SUCCEEDED).exists(),
        TIMEOUT_SECONDS + LEASE_MARGIN.total_seconds() + 60,
        "the next worker to complete the delivery",
    )

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    held, delivered = receiver.requests
    assert held.answered is None
    assert delivered.answered == 200
    assert held.webhook_id == delivered.webhook_id == delivery.event.message_id
    for request in receiver.requests:
        payload = verify(endpoint.secret, request)
        assert (payload["type"], payload["data"]["id"]) == ("story.published", story.pk)
    # The cut-off attempt counts (it reached the receiver); it recorded nothing else.
    assert delivery.attempts == 2
    assert delivery.attempt_started_at is None
    # Its task was queued again and found the lease running: it looked again at its end.
    cut_off, looked_again = DBTaskResult.objects.filter(task_path=deliver.module_path).order_by(
        "enqueued_at"
    )
    assert (cut_off.status, cut_off.return_value) == ("SUCCESSFUL", "busy")
    assert len(cut_off.worker_ids) == 2
    assert (looked_again.status, looked_again.return_value) == ("SUCCESSFUL", "succeeded")
