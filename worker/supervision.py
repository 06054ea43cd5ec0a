"""Keep the task queue honest: heartbeats, tasks cut off with their worker, periodic jobs.

django-tasks-db marks a task RUNNING when a worker takes it and never looks at it again, so
a worker killed in the middle (``kill -9``, the kernel's OOM killer, a lost machine) would
leave its task RUNNING for ever. Every ``manage.py worker`` therefore beats: it writes its
:class:`~worker.models.WorkerProcess` row every ``WORKER_BEAT_SECONDS``. Any worker that finds
a RUNNING task whose last worker has been quiet for ``WORKER_STALE_SECONDS`` puts the task
back in the queue, where the next free worker takes it. A task can so run twice: every task
of ours is written to be run again safely (delivery is at least once). A task cut off
``WORKER_MAX_CLAIMS`` times (one that kills whoever runs it) is marked failed instead.

A worker told twice to stop (Ctrl-C twice, or SIGTERM after SIGINT) leaves its task at once:
db_worker raises ``SystemExit`` inside the task and records it as failed. That task did not
fail, it was interrupted, so it is queued again the same way.

Periodic jobs are tasks too: apps register them here from their ``AppConfig.ready()``, and
whichever worker first sees one due enqueues it, once per period however many workers run.
"""

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, F, Min, Q, When
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult, get_date_max

from worker.models import PeriodicJob, WorkerProcess

logger = logging.getLogger("newsroom.worker")


class WorkerLost(Exception):
    """The worker running a task stopped answering, too many times for this task."""


@dataclass(frozen=True)
class Periodic:
    task: Task
    every: timedelta

    @property
    def name(self) -> str:
        return self.task.module_path


_periodic: dict[str, Periodic] = {}


def register_periodic(task: Task, every: timedelta) -> Task:
    """Have the workers enqueue *task* (no arguments) once every *every*.

    The task must be safe to run late, or twice: a period can be missed while no worker
    runs, and runs once when one starts again.
    """
    job = Periodic(task, every)
    _periodic[job.name] = job
    return task


def periodic_jobs() -> list[Periodic]:
    return list(_periodic.values())


def beat(worker_id: str, started_at: datetime) -> None:
    """Record that worker *worker_id* (this process) is alive now."""
    WorkerProcess.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": timezone.now()},
        create_defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def forget(worker_id: str) -> None:
    """Remove a worker that stopped cleanly (its current task has finished)."""
    WorkerProcess.objects.filter(worker_id=worker_id).delete()


def live_workers(now: datetime | None = None):
    now = now or timezone.now()
    return WorkerProcess.objects.filter(
        seen_at__gte=now - timedelta(seconds=settings.WORKER_STALE_SECONDS)
    )


# What db_worker records when a task is interrupted by its worker being stopped, not failed.
INTERRUPTIONS = ("builtins.SystemExit", "builtins.KeyboardInterrupt")


def requeue_cut_off_tasks(now: datetime | None = None) -> int:
    """Queue again the tasks cut off with their worker; return how many.

    Those left RUNNING by workers that stopped beating, and those a forced stop interrupted.
    Also forgets the workers that stopped. A task already cut off ``WORKER_MAX_CLAIMS`` times
    fails.
    """
    now = now or timezone.now()
    alive = set(live_workers(now).values_list("worker_id", flat=True))
    requeued = 0
    with transaction.atomic():
        cut_off = DBTaskResult.objects.filter(
            Q(status=TaskResultStatus.RUNNING)
            | Q(status=TaskResultStatus.FAILED, exception_class_path__in=INTERRUPTIONS)
        ).select_for_update(skip_locked=True)
        for result in cut_off:
            last = result.worker_ids[-1] if result.worker_ids else None
            if result.status == TaskResultStatus.RUNNING and (
                last in alive
                # Taken since the live workers were read: by a worker that may have beaten
                # in between. Its own worker has the stale time to prove itself dead.
                or result.started_at > now - timedelta(seconds=settings.WORKER_STALE_SECONDS)
            ):
                continue
            if len(result.worker_ids) >= settings.WORKER_MAX_CLAIMS:
                logger.error(
                    "Task %s (%s) was cut off with its worker %d times; giving it up.",
                    result.id,
                    result.task_path,
                    len(result.worker_ids),
                )
                result.set_failed(
                    WorkerLost(f"Its worker stopped {len(result.worker_ids)} times while on it.")
                )
                continue
            logger.warning(
                "Task %s (%s) was cut off with worker %s, which stopped; queued again.",
                result.id,
                result.task_path,
                last,
            )
            result.status = TaskResultStatus.READY
            result.finished_at = None
            result.exception_class_path = ""
            result.traceback = ""
            result.save(
                update_fields=["status", "finished_at", "exception_class_path", "traceback"]
            )
            requeued += 1
        WorkerProcess.objects.filter(
            seen_at__lt=now - timedelta(seconds=settings.WORKER_STALE_SECONDS)
        ).delete()
    return requeued


def enqueue_due_periodic_jobs(now: datetime | None = None) -> list[str]:
    """Enqueue each registered periodic job that is due; return the names enqueued.

    A conditional UPDATE claims the period, so of several workers exactly one enqueues.
    """
    now = now or timezone.now()
    enqueued = []
    for job in periodic_jobs():
        PeriodicJob.objects.get_or_create(name=job.name)
        with transaction.atomic():
            claimed = (
                PeriodicJob.objects.filter(name=job.name)
                .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - job.every))
                .update(enqueued_at=now)
            )
            if claimed:
                job.task.enqueue()
                enqueued.append(job.name)
    return enqueued


@dataclass(frozen=True)
class QueueState:
    waiting: int
    oldest_wait_seconds: float
    running: int
    workers: int

    @property
    def orphaned(self) -> bool:
        """Tasks are running, but no worker is alive to run them (or to queue them again)."""
        return self.running > 0 and self.workers == 0


def queue_state(now: datetime | None = None) -> QueueState:
    """Return how many tasks are due and not taken, the oldest one's wait, and the workers.

    One query over the queue's unfinished rows (an index covers the ready ones), one over
    the workers: cheap enough for a health check asked every few seconds.
    """
    now = now or timezone.now()
    due = Q(status=TaskResultStatus.READY) & (Q(run_after=get_date_max()) | Q(run_after__lte=now))
    due_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")),
        default=F("run_after"),
    )
    found = DBTaskResult.objects.filter(
        status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING)
    ).aggregate(
        waiting=Count("pk", filter=due),
        oldest=Min(due_since, filter=due),
        running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
    )
    oldest = found["oldest"]
    return QueueState(
        waiting=found["waiting"],
        oldest_wait_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
        running=found["running"],
        workers=live_workers(now).count(),
    )
