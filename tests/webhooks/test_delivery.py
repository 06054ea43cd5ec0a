import socket
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.webhooks.receiver import HOLD, Answer, Drip, verify
from webhooks.delivery import deliver, emit, prune
from webhooks.models import Delivery, Event, EventType

JITTER = 0.1


def story_event(key: str = "story.published:1:1") -> Event:
    return emit(
        EventType.STORY_PUBLISHED,
        key=key,
        data={"id": 1, "slug": "the-almaty-talks", "title": "The Almaty talks"},
    )


def queued_attempts(delivery: Delivery) -> list[DBTaskResult]:
    """Return the attempts of *delivery* waiting in the queue."""
    return [
        result
        for result in DBTaskResult.objects.filter(status="READY", task_path=deliver.module_path)
        if result.args_kwargs["args"] == [delivery.pk]
    ]


def let_time_pass(delivery: Delivery) -> DBTaskResult:
    """Bring the next attempt of *delivery* to now, as if its delay had passed; return it."""
    (queued,) = queued_attempts(delivery)
    now = timezone.now()
    DBTaskResult.objects.filter(pk=queued.pk).update(run_after=now)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now)
    return queued


def test_a_delivery_is_recorded_pending_before_it_is_attempted(endpoint, receiver):
    event = story_event()

    delivery = event.deliveries.get()
    assert delivery.endpoint == endpoint
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 0
    assert len(queued_attempts(delivery)) == 1
    assert receiver.requests == []


def test_a_2xx_answer_delivers_the_signed_event(endpoint, receiver, run_tasks):
    event = story_event()

    run_tasks()

    (request,) = receiver.requests
    assert request.path == "/hooks"
    assert request.headers["content-type"] == "application/json"
    assert request.webhook_id == event.message_id
    assert verify(endpoint.secret, request) == {
        "type": "story.published",
        "timestamp": request.json()["timestamp"],
        "data": {"id": 1, "slug": "the-almaty-talks", "title": "The Almaty talks"},
    }
    assert request.body == event.body.encode()
    delivery = event.deliveries.get()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert delivery.delivered_at is not None
    assert delivery.last_duration_ms is not None


def test_the_same_happening_makes_one_event(endpoint, receiver, run_tasks):
    assert story_event(key="story.published:7:1") is not None
    assert story_event(key="story.published:7:1") is None

    run_tasks()

    assert len(receiver.requests) == 1


def test_no_event_is_recorded_when_no_endpoint_wants_it(make_endpoint):
    make_endpoint(events=[EventType.REVIEW_APPROVED])
    make_endpoint(events=[EventType.STORY_PUBLISHED], active=False)

    assert story_event() is None
    assert not Event.objects.exists()


def test_each_subscribed_endpoint_gets_its_own_delivery(make_endpoint, receiver, run_tasks):
    first = make_endpoint(url=receiver.url("/one"))
    second = make_endpoint(url=receiver.url("/two"))

    event = story_event()
    run_tasks()

    assert sorted(request.path for request in receiver.requests) == ["/one", "/two"]
    assert {request.webhook_id for request in receiver.requests} == {event.message_id}
    by_path = {request.path: request for request in receiver.requests}
    verify(first.secret, by_path["/one"])
    verify(second.secret, by_path["/two"])


def test_a_500_is_retried_on_the_schedule_then_given_up(endpoint, receiver, run_tasks, caplog):
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    receiver.plan(*[500] * (len(schedule) + 1))
    event = story_event()
    delivery = event.deliveries.get()

    run_tasks()
    for attempt, delay in enumerate(schedule, start=1):
        delivery.refresh_from_db()
        assert delivery.status == Delivery.Status.PENDING
        assert delivery.attempts == attempt
        assert delivery.last_status_code == 500
        (queued,) = queued_attempts(delivery)
        assert queued.run_after == delivery.next_attempt_at
        waited = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
        assert delay <= waited <= delay * (1 + JITTER) + 1, (attempt, waited)
        # Not before its time: the worker leaves it in the queue.
        assert run_tasks() == []
        let_time_pass(delivery)
        run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == len(schedule) + 1
    assert delivery.next_attempt_at is None
    assert queued_attempts(delivery) == []
    assert len(receiver.requests) == len(schedule) + 1
    assert {request.webhook_id for request in receiver.requests} == {event.message_id}
    for request in receiver.requests:
        verify(endpoint.secret, request)
    assert "given up after" in caplog.text


def test_the_default_schedule_is_the_specifications_example():
    hours = 3600
    schedule = settings.WEBHOOK_RETRY_SCHEDULE

    assert schedule == [
        5,
        5 * 60,
        30 * 60,
        2 * hours,
        5 * hours,
        10 * hours,
        14 * hours,
        20 * hours,
        24 * hours,
    ]


def test_a_500_then_a_200_succeeds_on_the_second_attempt(endpoint, receiver, run_tasks):
    receiver.plan(500, 200)
    delivery = story_event().deliveries.get()

    run_tasks()
    let_time_pass(delivery)
    run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 2
    assert [request.answered for request in receiver.requests] == [500, 200]
    assert receiver.requests[0].webhook_id == receiver.requests[1].webhook_id
    assert queued_attempts(delivery) == []


def test_a_task_run_again_does_not_send_a_delivered_delivery_twice(endpoint, receiver, run_tasks):
    delivery = story_event().deliveries.get()
    run_tasks()

    # As when a worker died after sending and its task was queued again.
    assert deliver.call(delivery.pk) == "not due"
    deliver.enqueue(delivery.pk)
    run_tasks()

    assert len(receiver.requests) == 1


def test_an_early_attempt_waits_for_its_time(endpoint, receiver, run_tasks):
    receiver.plan(500)
    delivery = story_event().deliveries.get()
    run_tasks()

    # A stray copy of the task, run before the retry is due, sends nothing.
    assert deliver.call(delivery.pk) == "not due"

    assert len(receiver.requests) == 1


def test_retry_after_pushes_the_next_attempt_back(endpoint, receiver, run_tasks):
    receiver.plan(Answer(503, {"Retry-After": "120"}))
    delivery = story_event().deliveries.get()

    run_tasks()

    delivery.refresh_from_db()
    assert (delivery.next_attempt_at - delivery.last_attempt_at) >= timedelta(seconds=120)


@pytest.mark.parametrize(
    "value", ["99999999999999999999", "9" * 5000, "Fri, 31 Dec 9999 23:59:59 GMT"]
)
def test_a_huge_retry_after_waits_a_day_at_most(endpoint, receiver, run_tasks, value):
    receiver.plan(Answer(503, {"Retry-After": value}))
    delivery = story_event().deliveries.get()

    run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1
    waited = delivery.next_attempt_at - delivery.last_attempt_at
    assert timedelta(hours=23) < waited <= timedelta(days=1, seconds=5)
    (queued,) = queued_attempts(delivery)
    assert queued.run_after == delivery.next_attempt_at


@pytest.mark.parametrize("value", ["soon", "-5", "1e9", "Mon, 99 Foo 2026 25:61:00 GMT", " "])
def test_a_retry_after_that_makes_no_sense_is_ignored(endpoint, receiver, run_tasks, value):
    receiver.plan(Answer(503, {"Retry-After": value}))
    delivery = story_event().deliveries.get()

    run_tasks()

    delivery.refresh_from_db()
    waited = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    first = settings.WEBHOOK_RETRY_SCHEDULE[0]
    assert first <= waited <= first * (1 + JITTER) + 1
    assert len(queued_attempts(delivery)) == 1


def test_410_gone_switches_the_endpoint_off(endpoint, receiver, run_tasks):
    receiver.plan(410)
    delivery = story_event().deliveries.get()

    run_tasks()

    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert queued_attempts(delivery) == []
    assert not endpoint.active
    assert "410" in endpoint.disabled_reason
    assert story_event(key="another") is None


def test_a_redirect_is_not_followed(endpoint, receiver, run_tasks):
    receiver.plan(Answer(302, {"Location": "http://169.254.169.254/latest/meta-data/"}))
    delivery = story_event().deliveries.get()

    run_tasks()

    delivery.refresh_from_db()
    assert len(receiver.requests) == 1
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_status_code == 302
    assert "Redirects are not followed" in delivery.last_error
    assert "169.254.169.254" in delivery.last_error


def test_an_endpoint_that_never_answers_times_out_and_is_retried(
    endpoint, receiver, run_tasks, settings
):
    settings.WEBHOOK_TIMEOUT = 0.5
    receiver.plan(HOLD)
    delivery = story_event().deliveries.get()

    run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_status_code is None
    assert "No answer within 0.5 s" in delivery.last_error
    assert len(queued_attempts(delivery)) == 1


def test_an_answer_dripped_slowly_is_cut_off_at_the_deadline(
    endpoint, receiver, run_tasks, settings
):
    settings.WEBHOOK_TIMEOUT = 1
    # A header line every 0.3 s for 6 s: each within any per-read timeout.
    receiver.plan(Drip(every=0.3, lines=20))
    delivery = story_event().deliveries.get()

    started = time.monotonic()
    run_tasks()
    took = time.monotonic() - started

    assert took < 3
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_status_code is None
    assert "No answer within 1 s" in delivery.last_error
    assert delivery.last_duration_ms < 2000
    assert len(queued_attempts(delivery)) == 1


def test_an_answer_completed_within_the_deadline_is_taken(endpoint, receiver, run_tasks, settings):
    settings.WEBHOOK_TIMEOUT = 2
    receiver.plan(Drip(every=0.05, lines=5))
    delivery = story_event().deliveries.get()

    run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.last_status_code == 200


def test_a_refused_connection_is_retried(make_endpoint, run_tasks):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    delivery = emit(
        EventType.STORY_PUBLISHED,
        key="k",
        data={},
        endpoints=[make_endpoint(url=f"http://127.0.0.1:{port}/")],
    ).deliveries.get()

    run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert "ConnectionRefusedError" in delivery.last_error


def test_an_error_answer_is_kept_short_and_printable(endpoint, receiver, run_tasks):
    receiver.plan(Answer(400, body=b"bad\x00 signature\x1b[31m " + b"x" * 20_000))
    delivery = story_event().deliveries.get()

    run_tasks()

    delivery.refresh_from_db()
    assert delivery.last_error.startswith("bad signature[31m")
    assert len(delivery.last_error) == Delivery._meta.get_field("last_error").max_length


def test_a_switched_off_endpoint_gets_no_further_attempt(endpoint, receiver, run_tasks):
    delivery = story_event().deliveries.get()
    endpoint.active = False
    endpoint.save()

    run_tasks()

    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.status == Delivery.Status.FAILED
    assert "switched off" in delivery.last_error


@pytest.mark.django_db
def test_old_finished_events_are_pruned_pending_ones_kept(endpoint, settings):
    old = timezone.now() - timedelta(days=settings.WEBHOOK_KEEP_DAYS + 1)
    done = story_event(key="done")
    waiting = story_event(key="waiting")
    Event.objects.update(created_at=old)
    done.deliveries.update(status=Delivery.Status.SUCCEEDED)

    prune.call()

    assert list(Event.objects.all()) == [waiting]
