"""The task queue's part of ``/healthz`` (registered in WorkerConfig.ready())."""

from django.conf import settings
from django.db import DatabaseError, InterfaceError

from worker.supervision import queue_state


def queue_report() -> dict:
    """Return the task queue's state: due tasks, the oldest one's wait, live workers.

    "stuck" when a due task has waited longer than ``QUEUE_STUCK_SECONDS`` (no worker, or too
    few), or when tasks run with no live worker (the last one died mid-task).
    """
    try:
        state = queue_state()
    except (DatabaseError, InterfaceError):
        return {"status": "unavailable"}
    stuck = state.oldest_wait_seconds > settings.QUEUE_STUCK_SECONDS or state.orphaned
    return {
        "status": "stuck" if stuck else "ok",
        "waiting": state.waiting,
        "oldest_wait_seconds": round(state.oldest_wait_seconds, 1),
        "running": state.running,
        "workers": state.workers,
    }
