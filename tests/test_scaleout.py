"""Scale-out: two app servers, one PostgreSQL, one Redis, and no stale page on either.

Two gunicorn processes (DEBUG off, page cache on) serve the test database on two loopback
ports and share one Redis, started by the test itself. An editor logs into server A's admin
over HTTP and publishes a story; server B, whose cached home page did not have it, shows it at
the next request. The same for a review a moderator approves through A. Before each change a
row is edited behind the app's back (raw SQL, no signal), and B keeps showing the old text: so
B really served from its cache, and it was the change made through A that refreshed it.

Then the failures that once served unpublished stories: Redis turns read-only (a replica
after a failover) or stops answering while an editor unpublishes a story. From the moment the
editor's request returns, neither server shows the story again, also after Redis is back.

Needs PostgreSQL (SQLite is a file on one machine) and redis-server; skipped with the reason
otherwise. Every process is started here and stopped here, within a time limit.
"""

import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from articles.models import Article, Region, Rubric
from reviews.models import ModerationSettings, Review
from tests.redis_server import RedisServer, free_port

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "a long editor password"
START_TIMEOUT = 30
REQUEST_TIMEOUT = 10


pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two app servers need one shared PostgreSQL database (set DATABASE_URL)",
    ),
]


def database_url() -> str:
    """Return a URL for the database this test runs on (pytest-django's test database)."""
    params = connection.settings_dict
    user = quote(params["USER"] or "")
    password = f":{quote(params['PASSWORD'])}" if params["PASSWORD"] else ""
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


class Browser:
    """Just enough of a browser over http.client: cookies (Secure ones too), no redirects."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, text, response.headers.get("Location", "")
        finally:
            conn.close()

    def get(self, path: str) -> tuple[int, str]:
        status, text, _location = self.request("GET", path)
        return status, text

    def post(self, path: str, data: dict) -> tuple[int, str]:
        status, _text, location = self.request("POST", path, data)
        return status, location

    def csrf_token(self, path: str) -> str:
        status, text = self.get(path)
        assert status == 200, f"GET {path} answered {status}"
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)[1]

    def log_in(self, username: str, password: str) -> None:
        token = self.csrf_token("/admin/login/")
        status, location = self.post(
            "/admin/login/?next=/admin/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password},
        )
        assert (status, location) == (302, "/admin/"), "the editor could not log in"

    def admin_action(self, changelist: str, action: str, pk: int) -> None:
        token = self.csrf_token(changelist)
        status, location = self.post(
            changelist,
            {
                "csrfmiddlewaretoken": token,
                "action": action,
                "_selected_action": str(pk),
                "index": "0",
                "select_across": "0",
            },
        )
        assert status == 302, f"the admin action {action} answered {status}"


class AppServer:
    """One gunicorn process of our own, stopped (with its workers) on exit."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path):
        self.name = name
        self.port = free_port()
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self.log = log_dir / f"gunicorn-{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server {self.name} exited:\n{self.log.read_text()[-3000:]}")
            try:
                if Browser(self.port).get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"server {self.name} did not answer /healthz:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    """Collect static files once: with DEBUG off, pages name the hashed files."""
    root = tmp_path_factory.mktemp("scaleout-static")
    env = app_environment(static_root=root, cache_prefix="unused", database="")
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return root


def app_environment(
    *, static_root: Path, cache_prefix: str, database: str, redis_url: str = ""
) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "GUNICORN_", "NEWSROOM_", "AWS_"))
        and name not in ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "MEDIA_ROOT")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_CACHE_PREFIX=cache_prefix,
        STATIC_ROOT=str(static_root),
        NEWSROOM_PAGE_CACHE_SECONDS="600",
        GUNICORN_WORKERS="1",
        GUNICORN_ACCESS_LOG="off",
        GUNICORN_TIMEOUT="20",
        # Production asks staff for a second factor; these editors are about pages across
        # servers and have no authenticator app (two-factor logins: tests/twofactor).
        NEWSROOM_2FA_REQUIRED="0",
    )
    if database:
        env["DATABASE_URL"] = database
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def servers(static_root, tmp_path, redis_server) -> Iterator[tuple[AppServer, AppServer]]:
    """Start servers A and B on the test database and one Redis; stop both afterwards."""
    env = app_environment(
        static_root=static_root,
        cache_prefix="scaleout",
        database=database_url(),
        redis_url=redis_server.url,
    )
    pair = (AppServer("A", env, tmp_path), AppServer("B", env, tmp_path))
    try:
        for server in pair:
            server.start()
        deadline = time.monotonic() + START_TIMEOUT
        for server in pair:
            server.wait_until_ready(deadline)
        yield pair
    finally:
        for server in pair:
            server.stop()


@pytest.fixture
def newsroom(transactional_db):
    region = Region.objects.create(name="South Caucasus", slug="south-caucasus")
    rubric = Rubric.objects.create(name="Analysis", slug="analysis")
    stories = {}
    for slug, title, status in (
        ("grain-corridor", "The grain corridor, a year on", Article.Status.PUBLISHED),
        ("pass-reopens", "The mountain pass reopens", Article.Status.DRAFT),
    ):
        stories[slug] = Article.objects.create(
            title=title,
            slug=slug,
            teaser=f"{title}: what it means for trade.",
            body="<p>Trucks queue at the border.</p>",
            region=region,
            rubric=rubric,
            status=status,
            publish_at=timezone.now() - timedelta(hours=1),
        )
    User.objects.create_user("editor", password=PASSWORD, is_staff=True, is_superuser=True)
    # The rules row comes from a migration, and a flush between transactional tests removes
    # it: made here, or a server would create it on its first page and so move the cache on.
    ModerationSettings.load()
    return stories


def edit_title_behind_the_apps_back(article: Article, title: str) -> None:
    """Change a title with plain SQL: no signal, so no page cache learns of it."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE articles_article SET title = %s WHERE id = %s", [title, article.pk])


def test_story_published_through_one_server_is_fresh_on_the_other(servers, newsroom):
    server_a, server_b = servers
    reader_b = Browser(server_b.port)
    status, home = reader_b.get("/")
    assert status == 200
    assert "The grain corridor, a year on" in home
    assert "The mountain pass reopens" not in home

    edit_title_behind_the_apps_back(newsroom["grain-corridor"], "Unannounced new title")
    assert "Unannounced new title" not in reader_b.get("/")[1], "B should serve its cached page"

    editor = Browser(server_a.port)
    editor.log_in("editor", PASSWORD)
    editor.admin_action("/admin/articles/article/", "publish_selected", newsroom["pass-reopens"].pk)

    status, home = reader_b.get("/")
    assert status == 200
    assert "The mountain pass reopens" in home
    assert "Unannounced new title" in home
    assert reader_b.get("/articles/pass-reopens/")[0] == 200


def test_review_approved_through_one_server_is_fresh_on_the_other(servers, newsroom):
    server_a, server_b = servers
    story = newsroom["grain-corridor"]
    review = Review.objects.create(
        article=story,
        name="Nino from Kutaisi",
        email="nino@example.org",
        body="The queues at the border are shorter since spring.",
        status=Review.Status.PENDING,
    )
    reader_b = Browser(server_b.port)
    url = story.get_absolute_url()
    status, page = reader_b.get(url)
    assert status == 200
    assert "Nino from Kutaisi" not in page

    edit_title_behind_the_apps_back(story, "Unannounced new title")
    assert "Unannounced new title" not in reader_b.get(url)[1], "B should serve its cached page"

    moderator = Browser(server_a.port)
    moderator.log_in("editor", PASSWORD)
    moderator.admin_action("/admin/reviews/review/", "approve", review.pk)

    status, page = reader_b.get(url)
    assert status == 200
    assert "Nino from Kutaisi" in page
    assert "The queues at the border are shorter since spring." in page


def cached_on_both(servers, story: Article) -> None:
    """Have A and B store the story's page, and prove that they now serve it from the cache."""
    url = story.get_absolute_url()
    for server in servers:
        assert Browser(server.port).get(url)[0] == 200
    edit_title_behind_the_apps_back(story, "Unannounced new title")
    for server in servers:
        assert "Unannounced new title" not in Browser(server.port).get(url)[1], server.name


def editor_with_the_story_cached(servers, newsroom) -> tuple[Browser, Article]:
    """Log an editor in on A, and have both servers serve the story from their cache."""
    story = newsroom["grain-corridor"]
    editor = Browser(servers[0].port)
    editor.log_in("editor", PASSWORD)
    cached_on_both(servers, story)
    return editor, story


def never_served_again(servers, story: Article, seconds: float) -> None:
    """Ask A and B for the story again and again for *seconds*: it must be gone every time."""
    url = story.get_absolute_url()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for server in servers:
            status, _page = Browser(server.port).get(url)
            assert status == 404, f"server {server.name} served the unpublished story"
        time.sleep(0.1)


def test_an_unpublish_while_redis_refuses_writes_is_never_followed_by_the_old_page(
    servers, newsroom, redis_server
):
    editor, story = editor_with_the_story_cached(servers, newsroom)

    redis_server.read_only()
    began = time.monotonic()
    editor.admin_action("/admin/articles/article/", "unpublish_selected", story.pk)
    # The editor's request answered only once no process could trust its lease any more.
    assert time.monotonic() - began >= 2

    never_served_again(servers, story, seconds=3)
    redis_server.writable()
    never_served_again(servers, story, seconds=3)


def test_an_unpublish_while_redis_does_not_answer_is_never_followed_by_the_old_page(
    servers, newsroom, redis_server
):
    editor, story = editor_with_the_story_cached(servers, newsroom)

    redis_server.pause()
    try:
        editor.admin_action("/admin/articles/article/", "unpublish_selected", story.pk)
        never_served_again(servers, story, seconds=2)
    finally:
        # Back with every key it had, the old page among them.
        redis_server.resume()
    never_served_again(servers, story, seconds=4)
