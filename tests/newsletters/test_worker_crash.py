"""A real worker process killed in the middle of a digest, and another one finishing it.

PostgreSQL only, as tests/worker: the worker processes must reach the test's database.
"""

import os
import signal
import subprocess
import sys
from collections import Counter

import pytest
from django.db import connection

from articles.models import Article, Region, Rubric
from newsletters.models import Delivery, Send, Subscriber
from tests.worker.test_worker_process import ROOT, database_url, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="worker processes need a database other processes can reach (PostgreSQL)",
    ),
]

SUBSCRIBERS = 30


@pytest.fixture
def start_worker(tmp_path, smtp_server):
    started = []

    def start(name: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "DJANGO_EMAIL_HOST": "127.0.0.1",
            "DJANGO_EMAIL_PORT": str(smtp_server.port),
            # Batches of 5 at 2.5 emails a second: a batch, then two quiet seconds.
            "NEWSROOM_NEWSLETTER_BATCH_SIZE": "5",
            "NEWSROOM_NEWSLETTER_RATE": "2.5",
            "NEWSROOM_WORKER_BEAT_SECONDS": "0.3",
            "NEWSROOM_WORKER_STALE_SECONDS": "2",
            "PYTHONUNBUFFERED": "1",
        }
        log = (tmp_path / f"{name}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "0.1", "--worker-id", name],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_a_worker_killed_mid_digest_and_another_finishing_it_send_each_address_one_email(
    start_worker, smtp_server, start_daily
):
    region = Region.objects.create(name="South Caucasus", slug="south-caucasus")
    rubric = Rubric.objects.create(name="Analysis", slug="analysis")
    Article.objects.create(
        title="Ports compete for cargo",
        slug="ports",
        teaser="The lede.",
        region=region,
        rubric=rubric,
        status=Article.Status.PUBLISHED,
    )
    addresses = [f"reader{number:02}@example.org" for number in range(SUBSCRIBERS)]
    for address in addresses:
        Subscriber.objects.create(
            email=address, status="confirmed", confirmed_at="2020-01-01T00:00Z", frequency="daily"
        )
    send = start_daily()

    first = start_worker("first")
    wait_for(lambda: len(smtp_server.messages) >= 10)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert len(smtp_server.messages) < SUBSCRIBERS
    start_worker("second")
    wait_for(lambda: Send.objects.get(pk=send.pk).status == "done", seconds=60)

    # Never twice. A kill that lands between a row's "sending" and its "sent" leaves that one
    # address interrupted: never sent again, whether or not its email got out before the kill
    # (the usual kill, between batches, interrupts none).
    received = Counter(message.to for message in smtp_server.messages)
    assert set(received.values()) == {1}
    interrupted = set(
        Delivery.objects.filter(status="unknown").values_list("subscriber__email", flat=True)
    )
    assert len(interrupted) <= 1
    assert set(addresses) - set(received) <= interrupted
    send.refresh_from_db()
    assert (send.delivered, send.failed, send.unknown) == (
        SUBSCRIBERS - len(interrupted),
        0,
        len(interrupted),
    )
    assert Delivery.objects.filter(status="sent").count() == SUBSCRIBERS - len(interrupted)
