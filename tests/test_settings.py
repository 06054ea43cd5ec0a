"""Settings for production: refuse to start without a key, pass `check --deploy`, harden HTTP.

Production settings are decided when newsroom/settings.py is imported, so each test imports
them in a fresh Python process with the environment a deployment would have.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent.parent

# Variables of the developer's shell that would change what the subprocess sees.
OWN_VARIABLES = ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "STATIC_ROOT", "MEDIA_ROOT")


def production_env(**overrides: str) -> dict[str, str]:
    """Return the environment of a production server: DEBUG off, a strong key, a host name."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "AWS_", "GUNICORN_")) and name not in OWN_VARIABLES
    }
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="news.example.org",
    )
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(*names: str, **overrides: str) -> dict:
    """Return the named settings as a production process would see them."""
    code = (
        "import json, django\n"
        "from django.conf import settings\n"
        "django.setup()\n"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}},"
        " default=str))\n"
    )
    result = run_python(code, production_env(**overrides))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_server_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = production_env(DJANGO_SECRET_KEY=None)

    result = run_python("import django; django.setup()", env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_deploy_check_reports_no_issue_with_the_production_environment():
    code = (
        "import django\n"
        "from django.core.management import call_command\n"
        "django.setup()\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n"
    )

    result = run_python(code, production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_deploy_check_warns_when_the_https_redirect_is_switched_off():
    """The clean report above is earned: switching a protection off shows up."""
    code = (
        "import django\n"
        "from django.core.management import call_command\n"
        "django.setup()\n"
        "call_command('check', deploy=True)\n"
    )

    result = run_python(code, production_env(DJANGO_SECURE_SSL_REDIRECT="0"))

    assert "security.W008" in result.stdout + result.stderr


def test_production_turns_on_https_hsts_and_secure_cookies():
    values = production_settings(
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "X_FRAME_OPTIONS",
        "SECURE_REFERRER_POLICY",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_PROXY_SSL_HEADER",
    )

    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "strict-origin-when-cross-origin",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        # Never trusted unless a proxy is declared: a client could claim HTTPS itself.
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_https_redirect_can_be_switched_off_for_a_loopback_benchmark():
    values = production_settings("SECURE_SSL_REDIRECT", DJANGO_SECURE_SSL_REDIRECT="0")

    assert values["SECURE_SSL_REDIRECT"] is False


def test_proxy_protocol_header_is_trusted_only_when_a_proxy_is_declared():
    values = production_settings(
        "SECURE_PROXY_SSL_HEADER",
        "CSRF_TRUSTED_ORIGINS",
        DJANGO_TRUST_PROXY_HEADERS="1",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://news.example.org,https://www.news.example.org",
    )

    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["CSRF_TRUSTED_ORIGINS"] == [
        "https://news.example.org",
        "https://www.news.example.org",
    ]


def test_hsts_preload_is_opt_in():
    values = production_settings(
        "SECURE_HSTS_PRELOAD", "SILENCED_SYSTEM_CHECKS", DJANGO_SECURE_HSTS_PRELOAD="1"
    )

    assert values == {"SECURE_HSTS_PRELOAD": True, "SILENCED_SYSTEM_CHECKS": []}


def test_production_serves_compressed_hashed_static_files_and_keeps_no_local_state():
    values = production_settings(
        "STORAGES", "SESSION_ENGINE", "CACHES", REDIS_URL="redis://r:6379/0"
    )

    assert values["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert values["STORAGES"]["default"]["BACKEND"] == (
        "django.core.files.storage.FileSystemStorage"
    )
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert values["CACHES"]["default"]["BACKEND"] == "serving.cache.ResilientRedisCache"
    assert values["CACHES"]["default"]["LOCATION"] == "redis://r:6379/0"


def test_local_runs_need_no_collectstatic():
    # The test suite and `make run` import the settings with DEBUG on.
    assert settings.STORAGES["staticfiles"]["BACKEND"] == (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    assert settings.WHITENOISE_USE_FINDERS is True


def test_media_can_live_on_s3_compatible_storage(tmp_path):
    # A stand-in package: the settings only check that django-storages is importable.
    (tmp_path / "storages").mkdir()
    (tmp_path / "storages" / "__init__.py").write_text("")

    values = production_settings(
        "STORAGES",
        "CONTENT_SECURITY_POLICY",
        PYTHONPATH=str(tmp_path),
        DJANGO_STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="newsroom-media",
        AWS_S3_ENDPOINT_URL="https://objects.example.org",
        AWS_S3_CUSTOM_DOMAIN="media.example.org",
    )

    default = values["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "newsroom-media"
    assert default["OPTIONS"]["endpoint_url"] == "https://objects.example.org"
    assert default["OPTIONS"]["custom_domain"] == "media.example.org"
    assert default["OPTIONS"]["querystring_auth"] is False
    # Images from the media host are allowed by the content security policy.
    img_src = values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert "https://media.example.org" in img_src


def test_media_is_served_by_the_app_unless_object_storage_or_a_web_server_does_it(tmp_path):
    (tmp_path / "storages").mkdir()
    (tmp_path / "storages" / "__init__.py").write_text("")

    on_disk = production_settings("NEWSROOM_SERVE_MEDIA")
    behind_nginx = production_settings("NEWSROOM_SERVE_MEDIA", DJANGO_SERVE_MEDIA="0")
    on_s3 = production_settings(
        "NEWSROOM_SERVE_MEDIA",
        PYTHONPATH=str(tmp_path),
        DJANGO_STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="newsroom-media",
    )

    assert on_disk["NEWSROOM_SERVE_MEDIA"] is True
    assert behind_nginx["NEWSROOM_SERVE_MEDIA"] is False
    assert on_s3["NEWSROOM_SERVE_MEDIA"] is False


def test_s3_storage_without_a_bucket_is_refused_with_a_clear_message(tmp_path):
    (tmp_path / "storages").mkdir()
    (tmp_path / "storages" / "__init__.py").write_text("")
    env = production_env(PYTHONPATH=str(tmp_path), DJANGO_STORAGE_BACKEND="s3")

    result = run_python("import django; django.setup()", env)

    assert result.returncode != 0
    assert "needs AWS_STORAGE_BUCKET_NAME" in result.stderr


@pytest.mark.skipif(
    __import__("importlib").util.find_spec("storages") is not None,
    reason="django-storages is installed here (the s3 extra), so it cannot be missing",
)
def test_s3_storage_without_django_storages_says_what_to_install():
    result = run_python(
        "import django; django.setup()",
        production_env(DJANGO_STORAGE_BACKEND="s3", AWS_STORAGE_BUCKET_NAME="b"),
    )

    assert result.returncode != 0
    assert 'pip install -e ".[s3]"' in result.stderr


def test_read_replica_gets_its_own_alias_and_the_router():
    values = production_settings(
        "DATABASES",
        "DATABASE_ROUTERS",
        "MIDDLEWARE",
        DATABASE_URL="postgres://newsroom@db-primary:5432/newsroom",
        DATABASE_REPLICA_URL="postgres://newsroom@db-replica:5432/newsroom",
    )

    assert values["DATABASES"]["default"]["HOST"] == "db-primary"
    assert values["DATABASES"]["replica"]["HOST"] == "db-replica"
    assert values["DATABASES"]["replica"]["TEST"]["MIRROR"] == "default"
    # A PostgreSQL server that does not answer costs seconds, not a hung worker.
    assert values["DATABASES"]["replica"]["OPTIONS"]["connect_timeout"] == 5
    assert values["DATABASE_ROUTERS"] == ["serving.db_router.PrimaryReplicaRouter"]
    middleware = values["MIDDLEWARE"]
    assert middleware.index("serving.db_router.PrimaryDatabaseMiddleware") < middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )


def test_without_a_replica_there_is_no_router():
    values = production_settings("DATABASES", "DATABASE_ROUTERS")

    assert list(values["DATABASES"]) == ["default"]
    assert values["DATABASE_ROUTERS"] == []


def test_postgresql_prepares_statements_unless_a_pooler_forbids_it():
    url = "postgres://newsroom@db-primary:5432/newsroom"
    on = production_settings("DATABASES", DATABASE_URL=url)["DATABASES"]["default"]["OPTIONS"]
    off = production_settings("DATABASES", DATABASE_URL=url, DJANGO_DB_PREPARED_STATEMENTS="0")

    assert on["server_side_binding"] is True
    assert on["prepare_threshold"] == 2
    assert "server_side_binding" not in off["DATABASES"]["default"]["OPTIONS"]
    assert "prepare_threshold" not in off["DATABASES"]["default"]["OPTIONS"]


# The canonical origin and proxy trust -------------------------------------------------------


def test_the_site_origin_is_one_setting_normalised():
    values = production_settings("SITE_URL", DJANGO_SITE_URL="https://News.Example.org/")

    assert values["SITE_URL"] == "https://news.example.org"


@pytest.mark.parametrize(
    "value",
    [
        "news.example.org",
        "ftp://news.example.org",
        "https://news.example.org/en/",
        "https://news.example.org/?x=1",
        "https://user:secret@news.example.org",
        "https://news.example.org:port",
        "https://",
    ],
)
def test_a_site_origin_that_is_not_one_refuses_to_start(value):
    result = run_python("import django; django.setup()", production_env(DJANGO_SITE_URL=value))

    assert result.returncode != 0
    assert "DJANGO_SITE_URL" in result.stderr


def test_proxies_are_trusted_only_when_the_switch_says_so():
    off = production_settings("TRUST_PROXY_HEADERS", "TRUSTED_PROXIES")
    on = production_settings(
        "TRUST_PROXY_HEADERS",
        "TRUSTED_PROXIES",
        DJANGO_TRUST_PROXY_HEADERS="1",
        DJANGO_TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.7",
    )

    assert off == {"TRUST_PROXY_HEADERS": False, "TRUSTED_PROXIES": []}
    assert on == {"TRUST_PROXY_HEADERS": True, "TRUSTED_PROXIES": ["10.0.0.0/8", "192.0.2.7/32"]}


def test_a_trusted_proxy_that_is_not_an_address_refuses_to_start():
    env = production_env(DJANGO_TRUST_PROXY_HEADERS="1", DJANGO_TRUSTED_PROXIES="the-balancer")
    result = run_python("import django; django.setup()", env)

    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES" in result.stderr


GUNICORN_SCRIPT = (
    "import json, runpy\n"
    "conf = runpy.run_path('gunicorn.conf.py')\n"
    "print(json.dumps({name: conf[name] for name in "
    "('forwarded_allow_ips', 'secure_scheme_headers', 'forwarder_headers')}))\n"
)


def test_gunicorn_believes_no_forwarded_header_without_trust():
    result = run_python(GUNICORN_SCRIPT, production_env())

    assert json.loads(result.stdout) == {
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "forwarder_headers": "",
    }


def test_gunicorn_believes_only_the_configured_proxies_with_trust():
    env = production_env(DJANGO_TRUST_PROXY_HEADERS="1", DJANGO_TRUSTED_PROXIES="10.0.0.0/8")
    result = run_python(GUNICORN_SCRIPT, env)

    values = json.loads(result.stdout)
    assert values["forwarded_allow_ips"] == "10.0.0.0/8"
    assert values["secure_scheme_headers"] == {"X-FORWARDED-PROTO": "https"}
