"""The queue keeps its promises: no task is lost with its worker, periodic jobs run once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.worker.tasks import leave_a_mark
from worker import supervision
from worker.models import PeriodicJob, WorkerProcess
from worker.tasks import prune_finished_tasks

pytestmark = pytest.mark.django_db


def running_on(worker_id: str, *earlier: str, started_ago: float = 60) -> DBTaskResult:
    leave_a_mark.enqueue("/dev/null", "x")
    result = DBTaskResult.objects.get()
    result.worker_ids = [*earlier]
    result.claim(worker_id)
    DBTaskResult.objects.filter(pk=result.pk).update(
        started_at=timezone.now() - timedelta(seconds=started_ago)
    )
    result.refresh_from_db()
    return result


def test_a_task_left_running_by_a_worker_that_stopped_beating_is_queued_again(settings):
    now = timezone.now()
    supervision.beat("gone", now)
    WorkerProcess.objects.filter(worker_id="gone").update(
        seen_at=now - timedelta(seconds=settings.WORKER_STALE_SECONDS + 1)
    )
    result = running_on("gone")

    assert supervision.requeue_cut_off_tasks() == 1

    result.refresh_from_db()
    assert result.status == "READY"
    assert list(DBTaskResult.objects.ready()) == [result]
    assert not WorkerProcess.objects.filter(worker_id="gone").exists()


def test_a_task_of_a_live_worker_is_left_alone():
    supervision.beat("busy", timezone.now())
    result = running_on("busy")

    assert supervision.requeue_cut_off_tasks() == 0

    result.refresh_from_db()
    assert result.status == "RUNNING"


def test_a_task_whose_worker_never_beat_is_queued_again():
    result = running_on("unknown")

    assert supervision.requeue_cut_off_tasks() == 1
    result.refresh_from_db()
    assert result.status == "READY"


def test_a_task_taken_a_moment_ago_is_left_to_its_worker_even_before_it_beats(settings):
    # The live workers are read before the running tasks: a worker that beat and took a
    # task in between must not look dead.
    result = running_on("new", started_ago=settings.WORKER_STALE_SECONDS / 2)

    assert supervision.requeue_cut_off_tasks() == 0

    result.refresh_from_db()
    assert result.status == "RUNNING"


def test_a_task_that_kills_every_worker_is_given_up(settings):
    settings.WORKER_MAX_CLAIMS = 3
    result = running_on("third", "first", "second")

    assert supervision.requeue_cut_off_tasks() == 0

    result.refresh_from_db()
    assert result.status == "FAILED"
    assert result.exception_class_path == "worker.supervision.WorkerLost"
    assert "stopped 3 times" in result.traceback


def test_a_periodic_job_is_enqueued_once_per_period_however_many_workers_look():
    supervision.register_periodic(leave_a_mark, every=timedelta(minutes=10))
    try:
        now = timezone.now()
        first = supervision.enqueue_due_periodic_jobs(now)
        second = supervision.enqueue_due_periodic_jobs(now)
        later = supervision.enqueue_due_periodic_jobs(now + timedelta(minutes=11))
    finally:
        supervision._periodic.pop(leave_a_mark.module_path)

    assert leave_a_mark.module_path in first
    assert leave_a_mark.module_path not in second
    assert leave_a_mark.module_path in later
    assert DBTaskResult.objects.filter(task_path=leave_a_mark.module_path).count() == 2
    assert PeriodicJob.objects.filter(name=leave_a_mark.module_path).count() == 1


def test_the_housekeeping_job_is_registered():
    names = {job.name for job in supervision.periodic_jobs()}

    assert "worker.tasks.prune_finished_tasks" in names


def test_the_queue_state_counts_due_tasks_and_the_oldest_wait():
    leave_a_mark.enqueue("/dev/null", "now")
    leave_a_mark.using(run_after=timezone.now() + timedelta(hours=1)).enqueue("/dev/null", "later")
    DBTaskResult.objects.filter(args_kwargs__args__1="now").update(
        enqueued_at=timezone.now() - timedelta(minutes=7)
    )
    supervision.beat("w1", timezone.now())

    state = supervision.queue_state()

    assert state.waiting == 1
    assert 7 * 60 - 5 < state.oldest_wait_seconds < 7 * 60 + 60
    assert state.running == 0
    assert state.workers == 1


def test_a_deferred_task_waits_from_its_time_not_from_when_it_was_queued():
    leave_a_mark.using(run_after=timezone.now() - timedelta(seconds=30)).enqueue("/dev/null", "x")
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(days=1))

    assert 25 < supervision.queue_state().oldest_wait_seconds < 120


def test_old_finished_tasks_are_pruned_and_recent_ones_kept(run_tasks, settings, tmp_path):
    marks = tmp_path / "marks"
    leave_a_mark.enqueue(str(marks), "old")
    leave_a_mark.enqueue(str(marks), "new")
    run_tasks()
    old = DBTaskResult.objects.get(args_kwargs__args__1="old")
    DBTaskResult.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - timedelta(days=settings.WORKER_KEEP_FINISHED_DAYS + 1)
    )
    assert prune_finished_tasks.call() == 1
    assert list(DBTaskResult.objects.values_list("args_kwargs__args__1", flat=True)) == ["new"]


def test_a_task_interrupted_by_a_forced_stop_is_queued_again_not_failed():
    result = running_on("stopped")
    result.set_failed(SystemExit(1))
    supervision.beat("stopped", timezone.now())

    assert supervision.requeue_cut_off_tasks() == 1

    result.refresh_from_db()
    assert result.status == "READY"
    assert result.exception_class_path == ""
    assert list(DBTaskResult.objects.ready()) == [result]


def test_a_task_that_really_failed_stays_failed():
    result = running_on("w1")
    result.set_failed(RuntimeError("a bug"))

    assert supervision.requeue_cut_off_tasks() == 0

    result.refresh_from_db()
    assert result.status == "FAILED"


def test_tasks_running_with_no_worker_alive_are_an_orphaned_queue():
    running_on("gone")

    assert supervision.queue_state().orphaned
