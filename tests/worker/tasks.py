"""Tasks for the worker's own tests: they leave traces in files a test can read."""

import time
from pathlib import Path

from django_tasks import task


@task()
def leave_a_mark(path: str, text: str) -> str:
    with Path(path).open("a") as marks:
        marks.write(text + "\n")
    return text


@task()
def take_a_while(path: str, seconds: float) -> str:
    """Write "started", hold the worker for *seconds*, then write "finished"."""
    with Path(path).open("a") as marks:
        marks.write("started\n")
    time.sleep(seconds)
    with Path(path).open("a") as marks:
        marks.write("finished\n")
    return "finished"


@task()
def fail() -> None:
    raise RuntimeError("This task always fails.")
