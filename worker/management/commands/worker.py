"""``manage.py worker``: run queued tasks (mail, webhook deliveries, digests) in the background.

django-tasks-db's ``db_worker`` takes one task at a time, each taken by exactly one worker
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL), so run as many as the work needs. Around
it, a thread beats, puts back the tasks of workers that died mid-task and enqueues the
periodic jobs (worker.supervision). SIGTERM or Ctrl-C lets the current task finish first.
"""

import contextlib
import logging
import os
import secrets
import socket
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection
from django.utils import timezone

from serving.db_router import use_primary
from worker import supervision

logger = logging.getLogger("newsroom.worker")


class Command(BaseCommand):
    help = "Run the background worker: queued mail, webhook deliveries and periodic jobs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait before looking again when no task is due (default 1).",
        )
        parser.add_argument(
            "--worker-id",
            default="",
            help="A name unique among the running workers (default: host, process and a "
            "random part).",
        )

    def handle(self, *args, interval: float, worker_id: str, verbosity: int, **options):
        worker_id = worker_id or (
            f"{socket.gethostname()[:30]}-{os.getpid()}-{secrets.token_hex(4)}"
        )
        started_at = timezone.now()
        # Alive before the first task is taken: no other worker may mistake it for a dead one.
        supervision.beat(worker_id, started_at)
        stop = threading.Event()
        supervisor = threading.Thread(
            target=supervise,
            args=(worker_id, started_at, stop),
            name="worker-supervisor",
            daemon=True,
        )
        supervisor.start()
        self.stdout.write(f"Worker {worker_id} started; Ctrl-C stops it after the current task.")
        try:
            # Tasks act on what was just written: every read goes to the primary, never to a
            # lagging replica (and db_worker's claim must run where its lock is taken).
            with use_primary():
                call_command(
                    "db_worker",
                    queue_name="*",
                    worker_id=worker_id,
                    interval=interval,
                    reload=False,
                    startup_delay=False,
                    verbosity=verbosity,
                )
        finally:
            stop.set()
            supervisor.join(timeout=settings.WORKER_BEAT_SECONDS + 5)
            # If the database is away, the row goes quiet and the next worker clears it.
            with contextlib.suppress(DatabaseError):
                supervision.forget(worker_id)


def supervise(worker_id: str, started_at, stop: threading.Event) -> None:
    """Beat, requeue cut-off tasks and enqueue due periodic jobs until *stop* is set."""
    try:
        while not stop.is_set():
            try:
                with use_primary():
                    supervision.beat(worker_id, started_at)
                    supervision.requeue_cut_off_tasks()
                    supervision.enqueue_due_periodic_jobs()
            except DatabaseError:
                # The database is away: the main loop notices too; try again next beat.
                logger.warning("Worker %s could not reach the database.", worker_id)
                connection.close()
            stop.wait(settings.WORKER_BEAT_SECONDS)
    finally:
        connection.close()
