"""No transaction or row lock is held while a receiver is waited for: attempts claim a lease.

A frozen worker (``kill -STOP``), a dead machine or a receiver that takes its time must not
keep another worker waiting on the delivery's row, nor hold a transaction open.
"""

import threading
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from tests.webhooks.receiver import HOLD
from tests.webhooks.test_delivery import let_time_pass, queued_attempts, story_event
from webhooks import network
from webhooks.delivery import deliver
from webhooks.models import Delivery


class Worker(threading.Thread):
    """Another worker: runs *function* in a thread of its own, on a connection of its own."""

    def __init__(self, function: Callable, *args):
        super().__init__(daemon=True)
        self.function, self.args = function, args
        self.result = None

    def run(self):
        try:
            self.result = self.function(*self.args)
        finally:
            connection.close()


def test_no_transaction_is_open_while_the_receiver_is_waited_for(
    endpoint, receiver, run_tasks, monkeypatch
):
    depths = []
    post = network.post

    def watched(*args, **kwargs):
        depths.append(len(connection.atomic_blocks))
        return post(*args, **kwargs)

    monkeypatch.setattr(network, "post", watched)
    # The test's own transaction: the worker runs tasks outside any.
    outside = len(connection.atomic_blocks)
    delivery = story_event().deliveries.get()

    run_tasks()

    assert depths == [outside]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempt_started_at is None


def test_a_second_task_during_an_attempt_neither_waits_nor_sends(
    transactional_db, endpoint, receiver, settings
):
    settings.WEBHOOK_TIMEOUT = 10
    receiver.plan(HOLD)
    delivery = story_event().deliveries.get()
    first = Worker(deliver.call, delivery.pk)
    first.start()
    receiver.wait_for(1)

    started = time.monotonic()
    answer = deliver.call(delivery.pk)
    waited = time.monotonic() - started

    assert answer == "busy"
    assert waited < 2
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.attempt_started_at is not None
    receiver.released.set()
    first.join(timeout=15)
    assert first.result == Delivery.Status.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.attempt_started_at is None
    assert "RemoteDisconnected" in delivery.last_error


def test_an_attempt_whose_worker_froze_is_made_again_after_its_lease_and_the_late_outcome_dropped(
    transactional_db, endpoint, receiver, settings
):
    settings.WEBHOOK_TIMEOUT = 10
    receiver.plan(HOLD)
    delivery = story_event().deliveries.get()
    frozen = Worker(deliver.call, delivery.pk)
    frozen.start()
    receiver.wait_for(1)

    # Its lease runs out while the first worker is still frozen in the request.
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert deliver.call(delivery.pk) == Delivery.Status.SUCCEEDED
    receiver.released.set()
    frozen.join(timeout=15)

    assert frozen.result == "superseded"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 2
    assert delivery.last_status_code == 200
    assert [request.answered for request in receiver.requests] == [None, 200]


def test_a_task_finding_its_delivery_claimed_looks_again_when_the_lease_ends(
    endpoint, receiver, run_tasks
):
    delivery = story_event().deliveries.get()
    now = timezone.now()
    lease_end = now + timedelta(seconds=25)
    # Claimed by a worker that then died, before its task could be queued again.
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=1, attempt_started_at=now, next_attempt_at=lease_end
    )

    (looked,) = run_tasks()

    assert looked.return_value == "busy"
    assert receiver.requests == []
    (again,) = queued_attempts(delivery)
    assert again.run_after == lease_end
    let_time_pass(delivery)
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 2
    assert len(receiver.requests) == 1


def test_send_again_leaves_an_attempt_under_way_alone(editor_client, endpoint, receiver):
    delivery = story_event().deliveries.get()
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=1, attempt_started_at=now, next_attempt_at=now + timedelta(seconds=25)
    )

    response = editor_client.post(
        f"/admin/webhooks/delivery/{delivery.pk}/send-again/", follow=True
    )

    assert "is being sent right now" in response.content.decode()
    assert len(queued_attempts(delivery)) == 1
