"""Serving in production: the content security policy, the database-down page, static files,
the read-replica router, gunicorn's configuration and `make serve`.
"""

import json
import logging
import os
import re
import runpy
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import OperationalError, connections
from django.test import Client, RequestFactory
from django.urls import reverse

from articles.models import Article
from serving import db_router
from serving import middleware as newsroom_middleware
from serving.db_router import PrimaryReplicaRouter, request_needs_primary, use_primary

BASE_DIR = Path(__file__).resolve().parent.parent
OWN_VARIABLES = ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "STATIC_ROOT", "MEDIA_ROOT")


def clean_env(**overrides: str) -> dict[str, str]:
    """Return this process's environment without Newsroom's settings, plus ``overrides``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "AWS_", "GUNICORN_")) and name not in OWN_VARIABLES
    }
    env["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(
        args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )
    return result


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# Content security policy -------------------------------------------------------------------


def test_reader_pages_forbid_inline_script_and_framing(client, published_article):
    response = client.get(published_article.get_absolute_url())

    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def inline_scripts(html: str) -> list[str]:
    """Return the opening tags of scripts a browser would run from the page itself."""
    tags = re.findall(r"<script\b[^>]*>", html)
    data_blocks = ('type="application/json"', 'type="application/ld+json"')
    return [
        tag for tag in tags if " src=" not in tag and not any(kind in tag for kind in data_blocks)
    ]


def test_admin_story_editor_scripts_run_under_the_policy(admin_client):
    """The rich-text editor's import map is inline: it must carry this response's nonce."""
    response = admin_client.get(reverse("admin:articles_article_add"))

    assert response.status_code == 200
    script_src = csp_directives(response)["script-src"]
    assert "'self'" in script_src and "'unsafe-inline'" not in script_src
    nonces = [value[len("'nonce-") : -1] for value in script_src if value.startswith("'nonce-")]
    assert len(nonces) == 1
    html = response.content.decode()
    assert '<script type="importmap"' in html  # django-prose-editor's
    for tag in inline_scripts(html):
        assert f'nonce="{nonces[0]}"' in tag, tag
    # Every other script is loaded from this site, which 'self' allows.
    for source in re.findall(r'<script\b[^>]*\ssrc="([^"]+)"', html):
        assert source.startswith("/"), source


def test_each_response_gets_its_own_nonce(admin_client):
    url = reverse("admin:articles_article_add")

    first = csp_directives(admin_client.get(url))["script-src"]
    second = csp_directives(admin_client.get(url))["script-src"]

    assert first != second


# Database down ----------------------------------------------------------------------------


@pytest.fixture
def database_down(db):
    """Make every query on the default database fail as if the server had gone away."""
    refused = OperationalError("connection refused (simulated)")
    with mock.patch.object(connections["default"], "cursor", side_effect=refused):
        yield


@pytest.fixture
def database_log(caplog, monkeypatch):
    monkeypatch.setattr(newsroom_middleware, "_last_logged", 0.0)
    monkeypatch.setattr(logging.getLogger("newsroom"), "propagate", True)
    caplog.set_level(logging.INFO)
    return caplog


def assert_branded_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Back in a moment" in html
    assert "Traceback" not in html and "OperationalError" not in html


def test_story_page_answers_a_branded_503_when_the_database_is_down(
    client, published_article, database_down, database_log
):
    assert_branded_503(client.get(published_article.get_absolute_url()))


class QueryingMiddleware:
    """Stands for any middleware that reads the database before the view (session, user)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        Article.objects.exists()
        return self.get_response(request)


def test_database_errors_raised_in_middleware_answer_the_503_too(
    settings, published_article, database_down, database_log
):
    position = settings.MIDDLEWARE.index("serving.middleware.DatabaseUnavailableMiddleware")
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[: position + 1],
        "tests.test_production.QueryingMiddleware",
        *settings.MIDDLEWARE[position + 1 :],
    ]

    response = Client(raise_request_exception=False).get("/")

    assert_branded_503(response)


def test_a_logged_in_editor_gets_the_503_not_a_traceback(client, published_article, database_log):
    editor = User.objects.create_superuser("chief", "chief@example.org", "a-long-passphrase")
    client.force_login(editor)
    client.raise_request_exception = False

    with mock.patch.object(
        connections["default"], "cursor", side_effect=OperationalError("refused (simulated)")
    ):
        response = client.get(reverse("admin:index"))

    assert_branded_503(response)


def test_a_database_outage_is_logged_once_not_per_request(
    client, published_article, database_down, database_log
):
    for _ in range(5):
        client.get(published_article.get_absolute_url())

    ours = [r for r in database_log.records if r.name == "newsroom.database"]
    assert len(ours) == 1
    assert not [r for r in database_log.records if r.name == "django.request"]


def test_the_site_recovers_by_itself_when_the_database_returns(client, published_article):
    with mock.patch.object(
        connections["default"], "cursor", side_effect=OperationalError("refused (simulated)")
    ):
        assert client.get(published_article.get_absolute_url()).status_code == 503

    assert client.get(published_article.get_absolute_url()).status_code == 200


# Read replica --------------------------------------------------------------------------------


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    return PrimaryReplicaRouter()


def test_anonymous_reads_go_to_the_replica(with_replica):
    assert with_replica.db_for_read(Article) == "replica"


def test_pinned_requests_read_from_the_primary(with_replica):
    with use_primary():
        assert with_replica.db_for_read(Article) == "default"
    assert with_replica.db_for_read(Article) == "replica"


def test_sessions_and_users_are_always_read_from_the_primary(with_replica):
    assert with_replica.db_for_read(Session) == "default"
    assert with_replica.db_for_read(User) == "default"


def test_reads_inside_a_transaction_on_the_primary_stay_there(with_replica, db):
    # pytest-django runs this test inside a transaction on the primary.
    assert with_replica.db_for_read(Article) == "default"


def test_writes_and_migrations_go_to_the_primary_only(with_replica):
    assert with_replica.db_for_write(Article) == "default"
    assert with_replica.allow_migrate("default", "articles") is True
    assert with_replica.allow_migrate("replica", "articles") is False
    assert with_replica.allow_relation(object(), object()) is True


def test_without_a_replica_the_router_leaves_reads_alone():
    assert PrimaryReplicaRouter().db_for_read(Article) is None


@pytest.mark.parametrize(
    ("method", "path", "cookies", "primary"),
    [
        ("get", "/", {}, False),
        ("get", "/articles/a-story/", {}, False),
        ("get", "/admin/", {}, True),
        ("get", "/admin/articles/article/", {}, True),
        ("post", "/articles/a-story/review/", {}, True),
        ("get", "/articles/a-story/", {"sessionid": "abc"}, True),
    ],
)
def test_which_requests_are_pinned_to_the_primary(method, path, cookies, primary):
    factory = RequestFactory()
    request = getattr(factory, method)(path)
    request.COOKIES.update(cookies)

    assert request_needs_primary(request) is primary


REPLICA_SCRIPT = r"""
import json, os, shutil, sqlite3
import django
django.setup()
from django.core.management import call_command
from django.db import connections
from django.test import Client

call_command("migrate", verbosity=0)
connections.close_all()
primary, replica = os.environ["PRIMARY_PATH"], os.environ["REPLICA_PATH"]
with sqlite3.connect(primary) as db:
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
shutil.copyfile(primary, replica)  # The replica has caught up until now...

from django.contrib.auth.models import User
from articles.models import Region

# ...and has not yet received these writes.
region = Region.objects.create(name="Arctic", slug="arctic")
editor = User.objects.create_superuser("chief", "chief@example.org", "a-long-passphrase")
reader, staff = Client(), Client()
staff.force_login(editor)
print(json.dumps({
    "reader": reader.get(region.get_absolute_url()).status_code,
    "staff": staff.get(region.get_absolute_url()).status_code,
    "admin": staff.get(f"/admin/articles/region/{region.pk}/change/").status_code,
    "healthz": reader.get("/healthz").json(),
}))
"""


def test_replica_serves_readers_while_the_admin_sees_the_primary(tmp_path):
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = clean_env(
        DATABASE_URL=f"sqlite:///{primary}",
        DATABASE_REPLICA_URL=f"sqlite:///{replica}",
        PRIMARY_PATH=str(primary),
        REPLICA_PATH=str(replica),
        MEDIA_ROOT=str(tmp_path / "media"),
    )

    result = run([sys.executable, "-c", REPLICA_SCRIPT], env)

    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {
        "reader": 404,  # Read from the replica, which lags behind.
        "staff": 200,  # Someone with a session reads what they just saved.
        "admin": 200,
        "healthz": {
            "database": "ok",
            "replica": "ok",
            "cache": "ok",
            "queue": {
                "status": "ok",
                "waiting": 0,
                "oldest_wait_seconds": 0.0,
                "running": 0,
                "workers": 0,
            },
            "status": "ok",
        },
    }


# HTTPS ---------------------------------------------------------------------------------------

HTTPS_SCRIPT = r"""
import json
import django
django.setup()
from django.test import Client
from django.test.utils import override_settings

# Unhashed static names: this checks HTTPS handling, not collectstatic.
plain_static = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
with override_settings(STORAGES=plain_static):
    client = Client()
    secure = client.get("/admin/login/", secure=True)
    plain = client.get("/admin/login/")
    forwarded = client.get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "secure": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security"),
    "csrf_cookie_secure": bool(secure.cookies["csrftoken"]["secure"]),
    "plain": plain.status_code,
    "plain_location": plain.get("Location"),
    "forwarded": forwarded.status_code,
}))
"""


@pytest.mark.parametrize(("trust_proxy", "forwarded_status"), [("0", 301), ("1", 200)])
def test_https_is_enforced_and_a_proxy_is_believed_only_when_declared(
    tmp_path, trust_proxy, forwarded_status
):
    env = clean_env(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_TRUST_PROXY_HEADERS=trust_proxy,
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    )

    result = run([sys.executable, "-c", HTTPS_SCRIPT], env)

    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "secure": 200,
        "hsts": "max-age=31536000; includeSubDomains",
        "csrf_cookie_secure": True,
        "plain": 301,
        "plain_location": "https://testserver/admin/login/",
        # A client claiming HTTPS in a header is ignored unless a proxy is declared to set it.
        "forwarded": forwarded_status,
    }


# Static files --------------------------------------------------------------------------------

STATIC_SCRIPT = r"""
import json
import django
django.setup()
from django.templatetags.static import static
from django.test import Client

client = Client()
hashed = static("css/site.css")
compressed = client.get(hashed, HTTP_ACCEPT_ENCODING="gzip, br", secure=True)
plain = client.get("/static/css/site.css", secure=True)
print(json.dumps({
    "hashed": hashed,
    "status": compressed.status_code,
    "cache_control": compressed["Cache-Control"],
    "encoding": compressed.get("Content-Encoding"),
    "plain_cache_control": plain["Cache-Control"],
}))
"""


def test_production_static_files_are_hashed_compressed_and_cached_for_a_year(tmp_path):
    env = clean_env(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="testserver",
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    )
    # Our own files are enough here, and quick; `make serve` collects everything.
    collected = run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
        + ["--ignore", "admin", "--ignore", "django_prose_editor"],
        env,
    )
    assert collected.returncode == 0, collected.stderr[-3000:]

    result = run([sys.executable, "-c", STATIC_SCRIPT], env)

    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", outcome["hashed"])
    assert outcome["status"] == 200
    assert outcome["encoding"] == "br"
    assert "max-age=315360000" in outcome["cache_control"]
    assert "immutable" in outcome["cache_control"]
    # The unhashed name may change content at the next deployment: short cache only.
    assert "max-age=60" in outcome["plain_cache_control"]


# Media ---------------------------------------------------------------------------------------


def test_uploads_are_cached_for_a_year_as_their_names_never_change(client, db, media_root):
    (media_root / "images").mkdir(parents=True)
    (media_root / "images" / "lead-full-640.webp").write_bytes(b"RIFF....WEBP")

    response = client.get("/media/images/lead-full-640.webp")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"RIFF....WEBP"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_media_serving_never_leaves_the_media_folder(db, media_root):
    media_root.mkdir(parents=True, exist_ok=True)
    client = Client(raise_request_exception=False)

    # Django answers a path that climbs out of the folder as a suspicious request (400).
    assert client.get("/media/../newsroom/settings.py").status_code == 400
    assert client.get("/media/%2e%2e/newsroom/settings.py").status_code == 400
    assert client.get("/media/missing.webp").status_code == 404


# gunicorn and make serve ---------------------------------------------------------------------


def load_gunicorn_config(monkeypatch, **env: str) -> dict:
    for name in list(os.environ):
        if name.startswith("GUNICORN_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))


def test_gunicorn_listens_on_loopback_with_workers_for_the_cores(monkeypatch):
    config = load_gunicorn_config(monkeypatch)

    assert config["bind"] == "127.0.0.1:8000"
    assert config["workers"] == min(2 * os.cpu_count() + 1, 12)
    assert config["max_requests"] > 0 and config["max_requests_jitter"] > 0
    assert config["accesslog"] == "-"
    assert config["wsgi_app"] == "newsroom.wsgi:application"


def test_gunicorn_is_configured_from_the_environment(monkeypatch):
    config = load_gunicorn_config(
        monkeypatch,
        GUNICORN_BIND="0.0.0.0:9000",
        GUNICORN_WORKERS="2",
        GUNICORN_WORKER_CLASS="sync",
        GUNICORN_ACCESS_LOG="off",
    )

    assert config["bind"] == "0.0.0.0:9000"
    assert config["workers"] == 2
    assert config["worker_class"] == "sync"
    assert config["accesslog"] is None


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_serve_explains_that_it_needs_a_secret_key():
    result = run(["make", "--no-print-directory", "serve"], clean_env(), timeout=60)

    assert result.returncode != 0
    assert "needs DJANGO_SECRET_KEY" in result.stderr
    assert "DJANGO_SECURE_SSL_REDIRECT=0" in result.stderr
