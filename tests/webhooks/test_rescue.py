"""Every delivery ends succeeded or failed: none stays pending for ever.

A task can end without recording its attempt: the worker forced to stop in the middle
(``SystemExit``), killed, or given up by the supervisor after too many claims, or a fault of
ours inside the attempt. The periodic rescue queues such deliveries again.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

import webhooks.delivery
import webhooks.services
from tests.webhooks.test_delivery import queued_attempts, story_event
from webhooks import network
from webhooks.delivery import rescue
from webhooks.models import Delivery
from worker.supervision import WorkerLost, periodic_jobs


def make_overdue(delivery: Delivery) -> None:
    """Take *delivery*'s next attempt (or its lease's end) back past the rescue's grace."""
    long_ago = timezone.now() - timedelta(seconds=settings.WEBHOOK_RESCUE_SECONDS + 1)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=long_ago)


def test_a_delivery_cut_off_by_a_forced_stop_is_due_again_and_delivered(
    endpoint, receiver, run_tasks, monkeypatch
):
    def forced_stop(*args, **kwargs):
        raise SystemExit(1)

    monkeypatch.setattr(network, "post", forced_stop)
    delivery = story_event().deliveries.get()

    (task,) = run_tasks(allow_failures=True)

    assert task.status == "FAILED"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempt_started_at is None
    assert delivery.next_attempt_at <= timezone.now()
    assert "Interrupted" in delivery.last_error
    monkeypatch.undo()
    make_overdue(delivery)
    assert rescue.call() == 1
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 2
    assert len(receiver.requests) == 1


def test_a_delivery_whose_task_the_worker_gave_up_is_queued_again(endpoint, receiver, run_tasks):
    delivery = story_event().deliveries.get()
    # Claimed by workers that died with it, until the supervisor gave the task up.
    (task,) = queued_attempts(delivery)
    task.claim("worker-that-died")
    task.set_failed(WorkerLost("Its worker stopped 5 times while on it."))
    long_ago = timezone.now() - timedelta(hours=1)
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=1, attempt_started_at=long_ago, next_attempt_at=long_ago
    )

    assert rescue.call() == 1
    run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 2
    assert len(receiver.requests) == 1


def test_a_fault_inside_the_attempt_leaves_the_delivery_to_the_rescue(
    endpoint, receiver, run_tasks, monkeypatch
):
    def fault(*args, **kwargs):
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(webhooks.delivery, "retry_delay", fault)
    receiver.plan(500)
    delivery = story_event().deliveries.get()

    (task,) = run_tasks(allow_failures=True)

    assert task.status == "FAILED"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1
    # Its lease has not ended: nothing to rescue yet.
    assert rescue.call() == 0
    monkeypatch.undo()
    make_overdue(delivery)
    assert rescue.call() == 1
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 2


def test_a_delivery_whose_last_attempt_never_reported_back_is_given_up(
    endpoint, receiver, run_tasks, caplog
):
    delivery = story_event().deliveries.get()
    long_ago = timezone.now() - timedelta(hours=1)
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=len(settings.WEBHOOK_RETRY_SCHEDULE) + 1,
        attempt_started_at=long_ago,
        next_attempt_at=long_ago,
    )

    run_tasks()

    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.next_attempt_at is None
    assert "never finished" in delivery.last_error
    assert "given up" in caplog.text


def test_a_used_up_delivery_sent_again_still_gets_its_one_attempt(
    endpoint, receiver, run_tasks, settings
):
    settings.WEBHOOK_RETRY_SCHEDULE = []
    receiver.plan(500)
    delivery = story_event().deliveries.get()
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED

    webhooks.services.deliveries_send_again(queryset=Delivery.objects.all())
    run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 2


def test_the_rescue_leaves_alone_deliveries_with_an_attempt_on_its_way(endpoint, run_tasks):
    delivery = story_event().deliveries.get()
    make_overdue(delivery)
    (task,) = queued_attempts(delivery)

    assert rescue.call() == 0
    task.claim("a-live-worker")
    assert rescue.call() == 0
    assert DBTaskResult.objects.filter(task_path=webhooks.delivery.deliver.module_path).count() == 1


def test_the_rescue_waits_until_a_delivery_is_overdue(endpoint, receiver, run_tasks):
    receiver.plan(500)
    delivery = story_event().deliveries.get()
    run_tasks()
    # Its next attempt's task is lost.
    DBTaskResult.objects.filter(status="READY").delete()

    assert rescue.call() == 0
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert rescue.call() == 0
    make_overdue(delivery)
    assert rescue.call() == 1
    assert rescue.call() == 0
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED


def test_the_rescue_finds_a_stranded_delivery_behind_others_on_their_way(
    make_endpoint, receiver, monkeypatch
):
    monkeypatch.setattr(webhooks.delivery, "RESCUE_BATCH", 1)
    for path in ("/one", "/two", "/three"):
        make_endpoint(url=receiver.url(path))
    event = story_event()
    *waiting, stranded = event.deliveries.order_by("pk")
    for delivery in (*waiting, stranded):
        make_overdue(delivery)
    (lost,) = queued_attempts(stranded)
    lost.delete()

    assert rescue.call() == 1
    assert len(queued_attempts(stranded)) == 1


def test_the_rescue_runs_every_minute():
    (job,) = [job for job in periodic_jobs() if job.name == rescue.module_path]

    assert job.every == timedelta(seconds=settings.WEBHOOK_RESCUE_SECONDS) <= timedelta(minutes=1)
