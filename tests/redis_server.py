"""A Redis server of the test's own, to break on purpose: read-only, paused, stopped.

Tests that take Redis away must never do it to a Redis someone else uses, so they start their
own ``redis-server`` (Debian's package; ``.ci/services`` installs it) on a free port, keeping
nothing on disk, and stop it afterwards.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
# CI sets this: there a missing redis-server fails the tests instead of skipping them.
REQUIRED = os.environ.get("NEWSROOM_SERVICES_REQUIRED") == "1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """One redis-server process on 127.0.0.1, started by the test and stopped by it."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        if not Path(REDIS_SERVER).exists():
            message = "redis-server is not installed (apt-get install -y redis-server)"
            if REQUIRED:
                pytest.fail(message)
            pytest.skip(message)
        self.process = subprocess.Popen(
            [
                *(REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return self
            except OSError:
                pass
            except Exception:  # redis.ConnectionError while it starts
                pass
            time.sleep(0.05)
        pytest.fail(f"redis-server did not start on port {self.port}")

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=2)

    def read_only(self) -> None:
        """Refuse writes, answer reads: a replica of a primary that is gone (after a failover)."""
        self.client().execute_command("REPLICAOF", "127.0.0.1", str(free_port()))

    def writable(self) -> None:
        self.client().execute_command("REPLICAOF", "NO", "ONE")

    def pause(self) -> None:
        """Stop answering, keeping every key: clients time out, as on a network split."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.resume()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
