"""``manage.py worker`` as operations run it: several at once, stopped, killed, restarted.

Real worker processes against the test database, so PostgreSQL only: another process cannot
see SQLite's in-memory test database.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.worker.tasks import leave_a_mark, take_a_while
from worker.models import WorkerProcess

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="worker processes need a database other processes can reach (PostgreSQL)",
    ),
]


def database_url() -> str:
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


@pytest.fixture
def start_worker(tmp_path) -> Callable[..., subprocess.Popen]:
    started = []

    def start(name: str, **extra_env: str) -> subprocess.Popen:
        env = {
            **os.environ,
            **extra_env,
            "DATABASE_URL": database_url(),
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


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("Timed out waiting for the worker.")
        time.sleep(0.1)


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_two_workers_share_the_queue_and_run_each_task_once(start_worker, tmp_path):
    marks = tmp_path / "marks"
    for number in range(40):
        leave_a_mark.enqueue(str(marks), str(number))
    start_worker("one")
    start_worker("two")

    marked = DBTaskResult.objects.filter(task_path=leave_a_mark.module_path)
    wait_for(lambda: marked.successful().count() == 40)

    assert sorted(lines(marks), key=int) == [str(number) for number in range(40)]
    assert {result.worker_ids[0] for result in marked} <= {"one", "two"}
    assert all(len(result.worker_ids) == 1 for result in marked)


def test_a_worker_reads_and_claims_on_the_primary_with_a_replica_configured(start_worker, tmp_path):
    marks = tmp_path / "marks"
    leave_a_mark.enqueue(str(marks), "done")
    start_worker("beside-a-replica", DATABASE_REPLICA_URL=database_url())

    marked = DBTaskResult.objects.filter(task_path=leave_a_mark.module_path)
    wait_for(lambda: marked.successful().count() == 1)

    assert lines(marks) == ["done"]


def test_a_worker_killed_mid_task_loses_nothing_the_next_worker_finishes_it(start_worker, tmp_path):
    marks = tmp_path / "marks"
    result = take_a_while.enqueue(str(marks), 3)
    first = start_worker("first")
    wait_for(lambda: lines(marks) == ["started"])

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"
    start_worker("second")
    wait_for(lambda: DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL")

    assert lines(marks) == ["started", "started", "finished"]
    assert DBTaskResult.objects.get(pk=result.id).worker_ids == ["first", "second"]
    assert list(WorkerProcess.objects.values_list("worker_id", flat=True)) == ["second"]


def test_a_stopped_worker_finishes_its_task_first_and_signs_off(start_worker, tmp_path):
    marks = tmp_path / "marks"
    result = take_a_while.enqueue(str(marks), 1.5)
    worker = start_worker("polite")
    wait_for(lambda: lines(marks) == ["started"])

    worker.send_signal(signal.SIGTERM)

    assert worker.wait(timeout=30) == 0
    assert lines(marks) == ["started", "finished"]
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert not WorkerProcess.objects.exists()


def test_a_worker_stopped_twice_leaves_its_task_for_the_next_one(start_worker, tmp_path):
    marks = tmp_path / "marks"
    result = take_a_while.enqueue(str(marks), 3)
    impatient = start_worker("impatient")
    wait_for(lambda: lines(marks) == ["started"])

    impatient.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    impatient.send_signal(signal.SIGTERM)
    impatient.wait(timeout=30)
    start_worker("next")
    wait_for(lambda: DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL")

    assert lines(marks) == ["started", "started", "finished"]
    assert DBTaskResult.objects.get(pk=result.id).worker_ids == ["impatient", "next"]
