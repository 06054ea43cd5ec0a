"""Reviews under load: 500 submissions from 16 concurrent clients against gunicorn + PostgreSQL.

A real gunicorn (production settings, DEBUG off, 3 sync workers) on a loopback port serves a
throwaway PostgreSQL database made for this test. Sixteen clients each load the story once,
as a browser would (CSRF cookie and token, the form's signed timestamp), then send their
share of the 500 reviews as fast as the server answers. Every submission must be accepted
(302), none may hit a server error, and the database must hold each review exactly once.
Reviews sent within REVIEWS_FORM_MIN_SECONDS of loading the form count as spam by design;
they are stored all the same, so every status is counted.

Bounded and self-stopping: loopback only, at most 500 posts, a deadline, and gunicorn is
stopped at the end whatever happens. PostgreSQL only (SQLite serialises writers by design);
skipped on SQLite with that reason. Figures go to test-artifacts/concurrency.json.
"""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection

from tests.test_data_safety import BASE_DIR, django_run, site_env, throwaway_database

pytestmark = pytest.mark.slow

SUBMISSIONS = 500
CLIENTS = 16
PREFERRED_PORT = 8031
DEADLINE_SECONDS = 240
ARTIFACTS = BASE_DIR / "test-artifacts"

MAKE_STORY = """
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
from articles.models import Article, Region, Rubric
story = Article.objects.create(
    title="Load test story", slug="load-test-story", teaser="Under load.",
    body="<p>Many readers at once.</p>",
    region=Region.objects.create(name="Europe", slug="europe"),
    rubric=Rubric.objects.create(name="Analysis", slug="analysis"),
    status="published", publish_at=timezone.now() - timezone.timedelta(hours=1),
)
print(story.pk)
"""

COUNT_REVIEWS = """
import json
from django.db.models import Count
from reviews.models import Review
rows = Review.objects.filter(body__startswith=RUN)
print(json.dumps({
    "stored": rows.count(),
    "distinct_bodies": rows.values("body").distinct().count(),
    "duplicates": list(rows.values("body").annotate(n=Count("pk")).filter(n__gt=1)
                       .values_list("body", flat=True)[:5]),
    "statuses": dict(rows.values_list("status").annotate(n=Count("pk"))),
}))
"""


def free_port() -> int:
    for port in (PREFERRED_PORT, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free loopback port")


def wait_until_up(port: int, server: subprocess.Popen, log: Path) -> None:
    for _ in range(120):
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited: {log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    pytest.fail(f"gunicorn did not answer /healthz: {log.read_text()[-3000:]}")


class Reader:
    """One browser: loads the story once, then sends reviews with its cookie and tokens."""

    def __init__(self, port: int, story_pk: int, number: int, run: str):
        self.port, self.story_pk, self.number, self.run = port, story_pk, number, run
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None):
        headers = {"Host": f"127.0.0.1:{self.port}", "User-Agent": f"load-reader/{self.number}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            # The server closed a kept-alive connection: reconnect once.
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content.decode("utf-8", "replace")

    def load_story(self) -> None:
        status, html = self.request("GET", "/articles/load-test-story/review/")
        assert status == 200, status
        self.form = {
            name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
            for name in ("csrfmiddlewaretoken", "timestamp")
        }

    def send(self, index: int) -> int:
        data = {
            **self.form,
            "name": f"Reader {self.number}",
            "email": f"reader{self.number}@example.org",
            "body": f"{self.run} review {index} from client {self.number}: a fair piece.",
            "website": "",
        }
        status, _ = self.request("POST", "/articles/load-test-story/review/", urlencode(data))
        return status


def test_500_concurrent_reviews_are_each_stored_exactly_once(tmp_path, own_redis):
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL (run with DATABASE_URL=postgres://…)")
    run = f"load-{uuid.uuid4().hex[:8]}"
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with throwaway_database(tmp_path, "conc") as database_url:
        env = site_env(database_url, tmp_path / "media")
        env.update(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=uuid.uuid4().hex * 2,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_SECURE_SSL_REDIRECT="0",
            STATIC_ROOT=str(tmp_path / "static"),
            DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            # Every client comes from 127.0.0.1: one fingerprint for all 500.
            REVIEWS_RATE_LIMIT_COUNT="100000",
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS="3",
            GUNICORN_ACCESS_LOG="off",
            GUNICORN_LOG_LEVEL="warning",
        )
        # The rate limit and page cache in Redis, as in production: this run's own.
        env.update(REDIS_URL=own_redis.url, DJANGO_CACHE_PREFIX=run)
        story_pk = int(django_run(MAKE_STORY, env).strip().splitlines()[-1])
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=BASE_DIR,
            env=env,
            check=True,
            timeout=300,
        )
        gunicorn = Path(sys.executable).with_name("gunicorn")
        with log.open("w") as output:
            server = subprocess.Popen(
                [str(gunicorn), "--config", "gunicorn.conf.py"],
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_until_up(port, server, log)
            readers = [Reader(port, story_pk, number, run) for number in range(CLIENTS)]
            started = time.monotonic()
            with ThreadPoolExecutor(CLIENTS) as pool:
                list(pool.map(Reader.load_story, readers))

                def client_share(reader: Reader) -> list[int]:
                    statuses = []
                    for index in range(reader.number, SUBMISSIONS, CLIENTS):
                        if time.monotonic() - started > DEADLINE_SECONDS:
                            break
                        statuses.append(reader.send(index))
                    return statuses

                statuses = [s for share in pool.map(client_share, readers) for s in share]
            seconds = time.monotonic() - started
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()

        counted = json.loads(
            django_run(f"RUN = {run!r}\n" + COUNT_REVIEWS, env).strip().splitlines()[-1]
        )
        django_run("from django.core.cache import cache\ncache.clear()", env)

    figures = {
        "submissions": len(statuses),
        "clients": CLIENTS,
        "seconds": round(seconds, 1),
        "posts_per_second": round(len(statuses) / seconds, 1),
        "answers": {str(code): statuses.count(code) for code in sorted(set(statuses))},
        **counted,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "concurrency.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures))

    assert len(statuses) == SUBMISSIONS, "the deadline cut the run short"
    assert 500 not in statuses, log.read_text()[-3000:]
    assert statuses == [302] * SUBMISSIONS, figures["answers"]
    assert counted["stored"] == SUBMISSIONS
    assert counted["distinct_bodies"] == SUBMISSIONS
    assert counted["duplicates"] == []
    assert sum(counted["statuses"].values()) == SUBMISSIONS
    assert set(counted["statuses"]) <= {"pending", "spam"}
