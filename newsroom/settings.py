"""Settings for Newsroom, driven by the environment (12-factor).

Every default is chosen so that ``make run`` and ``pytest`` work with nothing set: DEBUG on,
SQLite in ``var/``, local-memory cache. Production sets ``DJANGO_DEBUG=0`` and must then give
``DJANGO_SECRET_KEY``; see README.md for the full list.
"""

import ipaddress
import os
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django_prose_editor.config import html_tags
from js_asset import static_lazy

from embeds.providers import PROVIDERS, frame_origins_of

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def site_origin(value: str) -> str:
    """Return the public origin *value* ("https://news.example.org") or refuse to start."""
    parts = urlsplit(value.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ImproperlyConfigured(
            f"DJANGO_SITE_URL={value!r} is not a site origin: give the scheme and host the "
            "public reaches the site at, and nothing else, e.g. https://news.example.org"
        )
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ImproperlyConfigured(f"DJANGO_SITE_URL={value!r} has an invalid port.") from None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def proxy_networks(values: list[str]) -> list[str]:
    """Return the trusted proxy addresses or networks, each checked; refuse to start if not."""
    try:
        return [str(ipaddress.ip_network(value, strict=False)) for value in values]
    except ValueError as error:
        raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXIES: {error}") from None


def env_durations(name: str, default: str) -> list[int]:
    """Return the comma-separated durations of *name* ("5s,5m,2h,1d") in seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    seconds = []
    for item in env_list(name, default):
        number, unit = (item[:-1], item[-1]) if item[-1:].isalpha() else (item, "s")
        if unit not in units or not number.isdecimal():
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not a duration; write e.g. 30s, 5m, 2h or 1d."
            )
        seconds.append(int(number) * units[unit])
    return seconds


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG=0 Newsroom refuses to start "
            "without a secret key: set DJANGO_SECRET_KEY to a long random string, e.g. the "
            "output of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    # Only ever used on a developer's machine: DEBUG is on.
    SECRET_KEY = "django-insecure-local-development-only-never-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

INSTALLED_APPS = [
    # django.contrib.admin with the newsroom's site as admin.site (newsroom/admin.py).
    "newsroom.apps.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Only for its sitemap.xml / sitemap_index.xml templates; no contrib.sites needed.
    "django.contrib.sitemaps",
    # django-taggit, shown as "Tags" in the admin.
    "newsroom.apps.TagsConfig",
    # Rich-text body editor (ProseMirror/Tiptap) and story history with revert, both admin-only.
    "django_prose_editor",
    "simple_history",
    # Infrastructure: imports no feature app (scripts/check_layers.py).
    "pagecache",
    "audit",
    # The image library and embedded media: stories use them, they know nothing of stories.
    "images",
    "embeds",
    # Feature apps. articles imports neither of the two after it; editorial comes after it, as
    # it registers the story admin again with its additions.
    "articles",
    "reviews",
    # The editorial desk: preview links, who has a story open, the schedule check.
    "editorial",
    # Simple pages editors write (About, Contact, Privacy), linked from every page's footer.
    "pages",
    # Read counts without cookies, "Most read" (readership; articles never imports it).
    "readership",
    # Outlets for partners: the content API (with its keys) and webhooks.
    "api",
    "webhooks",
    # Newsletters: sign-up, digests and breaking-news alerts. After the story apps: it adds its
    # "send as alert" action to the story admin they registered.
    "newsletters",
    # Readers' data: "Your data" (see, download, erase by email link), the moderators' page of
    # the same, and the retention of client fingerprints. Above reviews and newsletters.
    "datarights",
    # The team: the user admin (invitations, roles, deactivation) and password reset.
    "accounts",
    # Two-factor authentication for staff: django-otp's devices (authenticator apps, backup
    # codes) and our pages and rules around them (see NEWSROOM_2FA_REQUIRED below).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "twofactor",
    "django_tasks",
    "django_tasks_db",
    # The background worker around django-tasks-db's (manage.py worker).
    "worker",
    # Swagger UI's files, served from here (the API's docs page passes our CSP).
    "ninja",
    # Admin login brute-force protection (see AXES_* below).
    "axes",
]

MIDDLEWARE = [
    # First: forwarded headers from anyone but a trusted proxy are gone before anything reads them.
    "serving.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files answered before anything that could touch the database or the session.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The content API's CORS headers, error format and rate limit, above the page cache so
    # that answers served from it carry the headers and count towards the limit too.
    "api.middleware.CorsMiddleware",
    "api.middleware.ProblemDetailsMiddleware",
    "api.middleware.ApiRateLimitMiddleware",
    # Shared reader pages, whole: a hit skips everything below, and replays the headers all of
    # it added on the miss. Above the database-down page, so that cached pages are served
    # while the database is away.
    "pagecache.middleware.SharedPageCacheMiddleware",
    "serving.middleware.ContentSecurityPolicyMiddleware",
    # Outside everything that queries, so a database outage becomes the branded 503.
    "serving.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language from its address, before anything resolves a URL (the resolver
    # reads it to match /ru/…).
    "serving.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The admin in each editor's own language (their choice, else their browser's); reader
    # pages keep the language of their address (LanguageMiddleware above).
    "accounts.languages.AdminLanguageMiddleware",
    # Whether this session's login was completed with a second factor (request.user.is_verified()),
    # then: staff who owe one get only the code or set-up page of the admin.
    "django_otp.middleware.OTPMiddleware",
    "twofactor.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a 404 into a 301 when the address moved (renamed slug or an editor's redirect).
    "articles.redirects.RedirectFallbackMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "serving.context_processors.site",
                "pagecache.context_processors.page_generations",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# SQLite in var/ is the embedded default; production points DATABASE_URL at PostgreSQL,
# e.g. postgres://newsroom@127.0.0.1:5432/newsroom.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'newsroom.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Reader requests and the admin may overlap; WAL lets them, and IMMEDIATE avoids the
    # "database is locked" upgrade deadlock between two writers.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# Optional read replica: anonymous reads go there, writes and the admin to the primary
# (newsroom/db_router.py). In tests the replica alias mirrors the test database.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["serving.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("serving.middleware.DatabaseUnavailableMiddleware") + 1,
        "serving.db_router.PrimaryDatabaseMiddleware",
    )
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        # A server that does not answer must cost seconds and a 503, not a hung worker.
        options = _database.setdefault("OPTIONS", {})
        options.setdefault("connect_timeout", int(os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "5")))
        if env_bool("DJANGO_DB_PREPARED_STATEMENTS", True):
            # A reader page runs the same ten statements every time: bound on the server and
            # prepared after a few runs, PostgreSQL plans each once per connection instead of
            # once per request (about a tenth of an uncached story page's time). Behind a
            # transaction-pooling PgBouncer older than 1.21 (or without max_prepared_statements),
            # set this to 0.
            options.setdefault("server_side_binding", True)
            options.setdefault("prepare_threshold", 2)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend that degrades to "always a miss" while Redis is away.
            "BACKEND": "serving.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_PREFIX", "newsroom"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Not Django's 300: the demo's pages, blocks, sessions and read counters are more,
            # and past the limit a third of the keys (read counts among them) would be dropped.
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }

# Sessions live in the database, read through the cache: no state on an app server.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


def site_languages(codes: list[str]) -> list[tuple[str, str]]:
    """Return LANGUAGES for *codes* (NEWSROOM_LANGUAGES), each named in its own language, or
    refuse to start on a code Django has no locale data for."""
    if not codes:
        raise ImproperlyConfigured("NEWSROOM_LANGUAGES names no language; give e.g. en,ru.")
    languages = []
    for code in dict.fromkeys(code.lower() for code in codes):
        if code not in LANG_INFO or "name_local" not in LANG_INFO[code]:
            raise ImproperlyConfigured(
                f"NEWSROOM_LANGUAGES: {code!r} is not a language code Django knows (e.g. en, ru, "
                "ka, hy, uk, kk, ar)."
            )
        if not (BASE_DIR / "newsroom" / "formats" / code / "formats.py").exists():
            # Reader pages write dates in formats of our own naming (STORY_DATETIME_FORMAT):
            # without them a page would print the format's name instead of the date.
            raise ImproperlyConfigured(
                f"NEWSROOM_LANGUAGES: {code!r} has no newsroom/formats/{code}/formats.py; add "
                "one with the story date formats in that language (see the en and ru ones)."
            )
        languages.append((code, LANG_INFO[code]["name_local"]))
    return languages


# The languages the site publishes in, the first the default: its pages keep addresses without
# a prefix (/articles/…), the others' carry theirs (/ru/articles/…). Stories, regions, rubrics
# and tags each belong to one language; translations of one another are linked.
LANGUAGES = site_languages(env_list("NEWSROOM_LANGUAGES", "en,ru"))
LANGUAGE_CODE = LANGUAGES[0][0]
# Stored in UTC, shown in the newsroom's own zone.
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True
# The site's and the admin's own translations (locale/<code>/LC_MESSAGES/django.po), compiled
# (.mo) and shipped in the repository; tests/i18n checks that they are complete and current.
LOCALE_PATHS = [BASE_DIR / "locale"]
# One way of writing dates and times in the admin, e.g. "9 Dec 2026, 09:52", and the reader
# pages' named formats ("9 May 2024 19:20", STORY_DATETIME_FORMAT), in each language's words
# (newsroom/formats/<code>/formats.py; every language offered needs one).
FORMAT_MODULE_PATH = "newsroom.formats"

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]

MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Static files: WhiteNoise serves them. With DEBUG off they are compressed (gzip, Brotli) with
# content hashes in their names and far-future cache headers, which needs `collectstatic`
# first (`make serve` runs it); with DEBUG on (make run, the tests) they come from the source
# folders as they are.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Source maps are only fetched by developer tools; compressing the editor's 2 MB map with
# Brotli would add half a minute to every deployment.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *["jpg", "jpeg", "png", "gif", "webp", "avif", "woff", "woff2", "mp4", "webm"],
    *["zip", "gz", "tgz", "bz2", "tbz", "xz", "br"],
    "map",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Media on S3-compatible object storage (pip install -e ".[s3]"): set
# DJANGO_STORAGE_BACKEND=s3 and AWS_STORAGE_BUCKET_NAME; credentials come from the usual
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables or the machine's role.
STORAGE_BACKEND = os.environ.get("DJANGO_STORAGE_BACKEND", "filesystem").strip().lower()
MEDIA_ORIGINS = []
if STORAGE_BACKEND == "s3":
    import importlib.util

    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            'DJANGO_STORAGE_BACKEND=s3 needs django-storages: pip install -e ".[s3]"'
        )
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("DJANGO_STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # A CDN host in front of the bucket, e.g. media.example.org.
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            # Media is public: plain URLs a CDN can cache, not signed ones that expire.
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
            "file_overwrite": False,
            "default_acl": None,
        },
    }
    if os.environ.get("AWS_S3_CUSTOM_DOMAIN"):
        MEDIA_ORIGINS.append(f"https://{os.environ['AWS_S3_CUSTOM_DOMAIN']}")
    elif os.environ.get("AWS_S3_ENDPOINT_URL"):
        MEDIA_ORIGINS.append(os.environ["AWS_S3_ENDPOINT_URL"].rstrip("/"))
    else:
        MEDIA_ORIGINS.append("https://*.amazonaws.com")
elif STORAGE_BACKEND != "filesystem":
    raise ImproperlyConfigured("DJANGO_STORAGE_BACKEND must be 'filesystem' or 's3'.")
# Media from the filesystem is served by the app (newsroom/views.py) unless a web server or
# CDN in front does it.
NEWSROOM_SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", STORAGE_BACKEND == "filesystem")

# Uploads above this size are streamed to a temporary file rather than held in memory;
# the lead-image validator refuses anything above 20 MB anyway.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "newsroom@localhost")
# A mail server that hangs must not hold a reader's request for long (see reviews.tasks).
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10"))
# The SMTP server, with DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)

LOGIN_URL = "admin:login"
# Where a login goes when its ?next= is missing or points off this site (Django would send
# editors to /accounts/profile/, a 404 here).
LOGIN_REDIRECT_URL = "admin:index"

# Admin login brute-force protection with django-axes: after AXES_FAILURE_LIMIT failed
# passwords for one username from one IP address, that pair is locked out for the cool-off
# time (a failure while locked out restarts it). Locking the pair, not the account, means an
# attacker elsewhere cannot lock an editor out, and any username, existing or not, is locked
# the same way, so the lockout tells nothing about which accounts exist. Attempts are kept in
# the database, so every app process sees them, with or without Redis.
# `python manage.py axes_reset_username <name>` lifts a lockout early.
AUTHENTICATION_BACKENDS = [
    "serving.login_limits.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Not axes' reset at the password: for staff with a second factor the login is complete only
# with the code, and wrong codes count as failed logins too. twofactor.lockout starts the count
# again once the login is complete (a check refuses this setting on).
AXES_RESET_ON_SUCCESS = False
# The codes typed on the two-factor pages are kept out of axes' records, like passwords.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
AXES_LOCKOUT_CALLABLE = "serving.login_limits.lockout_response"
# The client address as everything else sees it: behind trusted proxies, the forwarded one.
AXES_CLIENT_IP_CALLABLE = "serving.clients.client_ip"
# Successful logins are already in each user's last_login; only failures are recorded.
AXES_DISABLE_ACCESS_LOG = True

NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "Newsroom")

# The team's accounts (accounts app). An invitation's link sets the first password and works
# this many days; a password reset link works PASSWORD_RESET_TIMEOUT seconds (Django's three
# days). "Forgotten your password?" takes PASSWORD_RESET_RATE_LIMIT_COUNT requests per client
# and sends as many emails per account in each PASSWORD_RESET_RATE_LIMIT_PERIOD seconds.
NEWSROOM_INVITATION_DAYS = int(os.environ.get("NEWSROOM_INVITATION_DAYS", "7"))
PASSWORD_RESET_RATE_LIMIT_COUNT = int(
    os.environ.get("NEWSROOM_PASSWORD_RESET_RATE_LIMIT_COUNT", "5")
)
PASSWORD_RESET_RATE_LIMIT_PERIOD = int(
    os.environ.get("NEWSROOM_PASSWORD_RESET_RATE_LIMIT_PERIOD", "3600")
)

# Two-factor authentication (twofactor app). When required, superusers and staff who may
# publish stories or manage staff accounts (twofactor.policy) must set up an authenticator app
# before any admin page opens; anyone else may set one up. On by default in production (DEBUG
# off), off for `make run` and the tests; NEWSROOM_2FA_REQUIRED=1 or 0 says otherwise.
# `python manage.py twofactor_reset <username>` removes a user's second factor (a lost phone).
NEWSROOM_2FA_REQUIRED = env_bool("NEWSROOM_2FA_REQUIRED", not DEBUG)
# The name authenticator apps show next to the account.
OTP_TOTP_ISSUER = NEWSROOM_SITE_NAME
# Nobody, superusers included, sees another user's secret or backup codes in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# The one origin every absolute URL is built from: canonical links, OpenGraph, JSON-LD, feeds,
# sitemaps, robots.txt and emails (serving.origin). The request's Host never is: a cached
# page is the same whoever asked, under whatever name.
SITE_URL = site_origin(os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000"))

# Reviews (reviews app). The rule lists themselves are edited in the admin.
# Default for the admin's "close reviews after (days)" rule; 0 never closes.
REVIEWS_CLOSE_AFTER_DAYS = 30
REVIEWS_PER_PAGE = 50
# Replies shown under each review on the story page, oldest first; "All N replies" links to
# the review's own pages of replies, REVIEWS_REPLIES_PER_PAGE a page.
REVIEWS_REPLIES_SHOWN = 5
REVIEWS_REPLIES_PER_PAGE = 50
# Per client fingerprint, counted in the shared cache (Redis when REDIS_URL is set).
REVIEWS_RATE_LIMIT_COUNT = int(os.environ.get("REVIEWS_RATE_LIMIT_COUNT", "5"))
REVIEWS_RATE_LIMIT_PERIOD = int(os.environ.get("REVIEWS_RATE_LIMIT_PERIOD", "600"))
# The form's signed timestamp: older than this asks to send again; quicker marks spam.
REVIEWS_FORM_MAX_AGE = 2 * 60 * 60
REVIEWS_FORM_MIN_SECONDS = 3
# Moderators get one email per new pending review while fewer than this many wait; above
# it, one digest of the queue at most every REVIEWS_DIGEST_HOURS (reviews.moderators).
REVIEWS_DIGEST_THRESHOLD = int(os.environ.get("REVIEWS_DIGEST_THRESHOLD", "10"))
REVIEWS_DIGEST_HOURS = float(os.environ.get("REVIEWS_DIGEST_HOURS", "3"))
# How long a reader's "email me when my review is published" confirmation link works.
REVIEWS_FOLLOW_UP_CONFIRM_DAYS = 7
# How long after sending a reader may change or withdraw their review or reply, through the
# signed link shown after sending (reviews.editing).
REVIEWS_EDIT_MINUTES = int(os.environ.get("NEWSROOM_REVIEWS_EDIT_MINUTES", "15"))
# Share-preview links (editorial): the expiry offered first, and how long an open change
# page counts as "being edited" without a new request.
EDITORIAL_PREVIEW_DEFAULT_HOURS = 48
EDITORIAL_PRESENCE_SECONDS = 5 * 60
# Told about new pending reviews when no active user with the moderate permission has an email.
MODERATOR_EMAILS = env_list("NEWSROOM_MODERATOR_EMAILS")
# Background tasks (mail, webhook deliveries, digests) are rows in the database's queue, run
# by `manage.py worker` (make worker; make run starts one). Story changes queue their webhook
# looks in their own transaction; reviews queue their mail once committed, and the periodic
# jobs catch what a crash in that instant would leave (reviews not announced).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_TASKS_BACKEND", "django_tasks_db.backend.DatabaseBackend")
    }
}
# A worker writes that it is alive this often; one silent for WORKER_STALE_SECONDS is taken
# for dead and its running task is queued again (worker.supervision), at most
# WORKER_MAX_CLAIMS times. A task longer than the stale time is fine: the beat is a thread.
WORKER_BEAT_SECONDS = float(os.environ.get("NEWSROOM_WORKER_BEAT_SECONDS", "5"))
WORKER_STALE_SECONDS = float(os.environ.get("NEWSROOM_WORKER_STALE_SECONDS", "30"))
WORKER_MAX_CLAIMS = int(os.environ.get("NEWSROOM_WORKER_MAX_CLAIMS", "5"))
WORKER_KEEP_FINISHED_DAYS = int(os.environ.get("NEWSROOM_WORKER_KEEP_FINISHED_DAYS", "7"))
# /healthz answers "degraded" when a due task has waited longer than this (no worker, or
# workers that cannot keep up).
QUEUE_STUCK_SECONDS = int(os.environ.get("NEWSROOM_QUEUE_STUCK_SECONDS", "300"))

# Webhooks (webhooks app): events signed as Standard Webhooks says, POSTed by the worker to the
# endpoints editors register in the admin. An attempt gets WEBHOOK_TIMEOUT seconds in all, to
# connect, send and have the whole answer (within the range the specification suggests);
# after a failure the next attempt waits the next delay of the schedule (the specification's
# example, spanning days: a partner's outage over a weekend loses nothing), and after the last
# one the delivery is given up.
WEBHOOK_TIMEOUT = float(os.environ.get("NEWSROOM_WEBHOOK_TIMEOUT", "15"))
WEBHOOK_RETRY_SCHEDULE = env_durations(
    "NEWSROOM_WEBHOOK_RETRY_SCHEDULE", "5s,5m,30m,2h,5h,10h,14h,20h,24h"
)
# Endpoints must use https and resolve to public addresses only, or a webhook could be aimed
# at our own network (SSRF). Addresses in these networks (comma-separated, e.g.
# 10.20.0.0/16 for consumers inside our own network) are accepted too, over plain http also:
# every port of every address in them, so an editor could aim at any service there. Name only
# the consumers' own network; in production never loopback, nor the database's or Redis's.
try:
    WEBHOOK_ALLOWED_NETWORKS = [
        str(ipaddress.ip_network(value, strict=False))
        for value in env_list("NEWSROOM_WEBHOOK_ALLOWED_NETWORKS")
    ]
except ValueError as error:
    raise ImproperlyConfigured(f"NEWSROOM_WEBHOOK_ALLOWED_NETWORKS: {error}") from None
# A scheduled story queues a look at itself for its publication time; every
# WEBHOOK_SWEEP_SECONDS the worker also looks for stories that became public with none queued
# (scheduled before webhooks existed, published by a write that sent no signal). Events and
# their deliveries are kept WEBHOOK_KEEP_DAYS for the admin.
WEBHOOK_SWEEP_SECONDS = int(os.environ.get("NEWSROOM_WEBHOOK_SWEEP_SECONDS", "300"))
# Every WEBHOOK_RESCUE_SECONDS the worker queues again the pending deliveries overdue by as
# long with no attempt on its way (their task died with its worker, or on a fault).
WEBHOOK_RESCUE_SECONDS = int(os.environ.get("NEWSROOM_WEBHOOK_RESCUE_SECONDS", "60"))
WEBHOOK_KEEP_DAYS = int(os.environ.get("NEWSROOM_WEBHOOK_KEEP_DAYS", "30"))

# Readership (readership app): story reads counted by a beacon in the shared cache, without
# cookies or personal data (readership.counting), moved to the database by the worker every
# NEWSROOM_READS_FLUSH_SECONDS. The "Most read (24 h)" block is on every story page and the
# home page, so a new order makes every page stale: at most once per
# NEWSROOM_MOST_READ_REFRESH seconds (the block's freshness against the page cache's hit rate;
# README.md, "Most read"). Without a shared cache (no REDIS_URL) each web process moves its own
# counts (NEWSROOM_READS_FLUSHED_BY_WEB), since the worker cannot see them.
NEWSROOM_READS_FLUSH_SECONDS = int(os.environ.get("NEWSROOM_READS_FLUSH_SECONDS", "60"))
NEWSROOM_MOST_READ_REFRESH = int(os.environ.get("NEWSROOM_MOST_READ_REFRESH", "600"))
NEWSROOM_READS_FLUSHED_BY_WEB = env_bool("NEWSROOM_READS_FLUSHED_BY_WEB", not REDIS_URL)
# Reads one network (an IPv4 address, an IPv6 /64) may add in a day (UTC): of one story, and in
# all. Above them its reads are not counted: a bound on what one client can do to "Most read".
NEWSROOM_READS_PER_NETWORK_STORY = int(os.environ.get("NEWSROOM_READS_PER_NETWORK_STORY", "50"))
NEWSROOM_READS_PER_NETWORK = int(os.environ.get("NEWSROOM_READS_PER_NETWORK", "1000"))

# Newsletters (newsletters app). Digests start every day at NEWSLETTER_SEND_AT (TIME_ZONE), the
# weekly one on NEWSLETTER_WEEKLY_DAY; the worker sends them in batches of
# NEWSLETTER_BATCH_SIZE, at NEWSLETTER_RATE emails a second on average (0: as fast as the mail
# server takes them). A send that shows no progress for NEWSLETTER_STALL_SECONDS (its task
# failed or was lost) is queued again where it stopped. See README.md, "Newsletters".
weekdays = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NEWSLETTER_FROM_EMAIL = os.environ.get("NEWSROOM_NEWSLETTER_FROM", "") or DEFAULT_FROM_EMAIL
try:
    NEWSLETTER_SEND_AT = time.fromisoformat(os.environ.get("NEWSROOM_NEWSLETTER_SEND_AT", "07:00"))
    NEWSLETTER_WEEKLY_DAY = weekdays.index(
        os.environ.get("NEWSROOM_NEWSLETTER_WEEKLY_DAY", "monday").strip().lower()
    )
except ValueError:
    raise ImproperlyConfigured(
        "NEWSROOM_NEWSLETTER_SEND_AT must be a time such as 07:00, and "
        "NEWSROOM_NEWSLETTER_WEEKLY_DAY a day of the week in English, such as monday."
    ) from None
NEWSLETTER_BATCH_SIZE = max(1, int(os.environ.get("NEWSROOM_NEWSLETTER_BATCH_SIZE", "200")))
NEWSLETTER_RATE = float(os.environ.get("NEWSROOM_NEWSLETTER_RATE", "100"))
# SMTP connections a batch sends over side by side (each a thread with a connection of its own).
NEWSLETTER_CONNECTIONS = max(1, int(os.environ.get("NEWSROOM_NEWSLETTER_CONNECTIONS", "4")))
NEWSLETTER_STALL_SECONDS = int(os.environ.get("NEWSROOM_NEWSLETTER_STALL_SECONDS", "120"))
# The most stories one digest lists; it links to the site for the rest.
NEWSLETTER_MAX_STORIES = int(os.environ.get("NEWSROOM_NEWSLETTER_MAX_STORIES", "25"))
# How long a confirmation link works; unconfirmed sign-ups are deleted after as long.
NEWSLETTER_CONFIRM_DAYS = int(os.environ.get("NEWSROOM_NEWSLETTER_CONFIRM_DAYS", "7"))
# Sign-ups one client may send per period (seconds), counted in the shared cache.
NEWSLETTER_SIGNUP_RATE_LIMIT_COUNT = int(
    os.environ.get("NEWSROOM_NEWSLETTER_SIGNUP_RATE_LIMIT_COUNT", "5")
)
NEWSLETTER_SIGNUP_RATE_LIMIT_PERIOD = int(
    os.environ.get("NEWSROOM_NEWSLETTER_SIGNUP_RATE_LIMIT_PERIOD", "3600")
)
# Each delivery's row is kept this long after its send finished (the send keeps its figures).
NEWSLETTER_KEEP_DAYS = int(os.environ.get("NEWSROOM_NEWSLETTER_KEEP_DAYS", "30"))

# Readers' data (datarights app). "Your data" emails a link that works one hour; one client may
# ask NEWSROOM_DATA_REQUEST_RATE_LIMIT_COUNT times per period (seconds), and one address gets
# at most one email per NEWSROOM_DATA_REQUEST_EMAIL_INTERVAL seconds, however many clients ask
# (at most the link's hour: whoever is refused one has a link that still works in the inbox;
# 0 turns the limit off). Erasing a reader's data
# anonymises their published reviews (name, address, fingerprint and user agent go; the text
# stays in the conversation) or deletes them: NEWSROOM_ERASURE_REVIEWS, README.md "Your data
# and retention". Client fingerprints and user agents (reviews, preview-link openings, failed
# admin logins) are blanked NEWSROOM_FINGERPRINT_RETENTION_DAYS after they were recorded.
DATA_REQUEST_RATE_LIMIT_COUNT = int(os.environ.get("NEWSROOM_DATA_REQUEST_RATE_LIMIT_COUNT", "5"))
DATA_REQUEST_RATE_LIMIT_PERIOD = int(
    os.environ.get("NEWSROOM_DATA_REQUEST_RATE_LIMIT_PERIOD", "3600")
)
try:
    DATA_REQUEST_EMAIL_INTERVAL = int(os.environ.get("NEWSROOM_DATA_REQUEST_EMAIL_INTERVAL", "600"))
    if not 0 <= DATA_REQUEST_EMAIL_INTERVAL <= 3600:
        raise ValueError
except ValueError:
    raise ImproperlyConfigured(
        "NEWSROOM_DATA_REQUEST_EMAIL_INTERVAL must be a whole number of seconds from 0 to 3600 "
        "(the hour a link works)."
    ) from None
NEWSROOM_ERASURE_REVIEWS = os.environ.get("NEWSROOM_ERASURE_REVIEWS", "anonymise").strip().lower()
if NEWSROOM_ERASURE_REVIEWS not in ("anonymise", "delete"):
    raise ImproperlyConfigured(
        "NEWSROOM_ERASURE_REVIEWS must be 'anonymise' (published reviews stay, without name, "
        "address, fingerprint or user agent) or 'delete'."
    )
try:
    NEWSROOM_FINGERPRINT_RETENTION_DAYS = int(
        os.environ.get("NEWSROOM_FINGERPRINT_RETENTION_DAYS", "30")
    )
    if NEWSROOM_FINGERPRINT_RETENTION_DAYS < 1:
        raise ValueError
except ValueError:
    raise ImproperlyConfigured(
        "NEWSROOM_FINGERPRINT_RETENTION_DAYS must be a whole number of days, 1 or more."
    ) from None

# Embedded media (embeds app). Only these providers' URLs become players, and only their
# player origins may be framed (frame-src below, built from this same list), so that turning a
# provider off also takes it out of the policy. Comma-separated keys; see embeds/providers.py.
NEWSROOM_EMBED_PROVIDERS = env_list("NEWSROOM_EMBED_PROVIDERS", ",".join(PROVIDERS))
try:
    embed_frame_origins = frame_origins_of(NEWSROOM_EMBED_PROVIDERS)
except ValueError as error:
    raise ImproperlyConfigured(f"NEWSROOM_EMBED_PROVIDERS: {error}") from None
# Provider key -> oEmbed endpoint, replacing the provider's own (the tests' local server, or
# Instagram's endpoint with an access token). A slow provider holds the editor's save, so it
# gets a few seconds at most.
NEWSROOM_OEMBED_ENDPOINTS = {}
NEWSROOM_OEMBED_TIMEOUT = float(os.environ.get("NEWSROOM_OEMBED_TIMEOUT", "5"))

# The content API (api app). Requests per client (per key, or per address without one; an
# IPv6 address counts as its /64) in each period, counted in the shared cache; past it, 429
# with Retry-After. 0 turns it off. The periods are fixed windows, so a client may send up to
# twice the count across the end of one and the start of the next: enough to stop a flood,
# cheap (one incr per request), and not a promise of an exact rate.
API_RATE_LIMIT_COUNT = int(os.environ.get("API_RATE_LIMIT_COUNT", "300"))
API_RATE_LIMIT_PERIOD = int(os.environ.get("API_RATE_LIMIT_PERIOD", "60"))
# How long an API list may be kept: its stories are invalidated exactly, but the review counts
# and author photos in it are not.
API_LIST_MAX_AGE = int(os.environ.get("API_LIST_MAX_AGE", "60"))

# Security. Cookies, HSTS and the HTTPS redirect only make sense behind TLS, so they follow
# DEBUG; `python manage.py check --deploy` is clean with DEBUG off (see README.md).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# A refused review keeps what the reader wrote (the form comes back filled in).
CSRF_FAILURE_VIEW = "reviews.views.csrf_failure"
SILENCED_SYSTEM_CHECKS = []
# Off for a loopback benchmark, or behind a proxy that redirects to HTTPS itself.
SECURE_SSL_REDIRECT = not DEBUG and env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Proxy trust in one switch, read by gunicorn.conf.py too. Off: no forwarded header counts,
# from anyone. On: X-Forwarded-Proto and X-Forwarded-For count only when the connection comes
# from one of DJANGO_TRUSTED_PROXIES (serving.middleware.TrustedProxyMiddleware drops them
# otherwise), and the client address is the right-most hop that is not a trusted proxy
# (serving.clients).
TRUST_PROXY_HEADERS = env_bool("DJANGO_TRUST_PROXY_HEADERS", False)
TRUSTED_PROXIES = (
    proxy_networks(env_list("DJANGO_TRUSTED_PROXIES", "127.0.0.1,::1"))
    if TRUST_PROXY_HEADERS
    else []
)
if TRUST_PROXY_HEADERS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    # Load balancers probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a commitment per domain, made by its owner: opt in with the variable.
        SILENCED_SYSTEM_CHECKS.append("security.W021")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# The story editor's own extensions (static/js/admin/media-editor.js): library figures and
# galleries, embeds, footnotes and pull quotes. The tags and attributes listed are what each
# writes; articles.sanitizer keeps them only in their expected form.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("js/admin/media-editor.js")],
        "extensions": {
            "NewsroomMedia": html_tags(
                ["figure"], {"figure": ["data-image", "data-gallery", "data-size", "data-embed"]}
            ),
            "Footnote": html_tags(["span"], {"span": ["data-footnote"]}),
            "PullQuote": html_tags([], {"blockquote": ["class"]}),
        },
    }
]

# Content-Security-Policy (django-csp): no inline script anywhere. The admin's rich-text
# editor gets a per-response nonce for the import map it renders (newsroom/middleware.py).
# Inline styles stay allowed: the admin and the editor set style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", *MEDIA_ORIGINS, *env_list("DJANGO_CSP_IMG_SRC")],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        # Players of the enabled embed providers, loaded only when a reader clicks.
        "frame-src": [*embed_frame_origins] or [NONE],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": SECURE_SSL_REDIRECT,
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"newsroom": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
# serving.middleware logs a database outage once a minute; Django would log every request.
LOGGING["filters"] = {
    "skip_database_outages": {"()": "serving.middleware.DatabaseErrorLogFilter"},
    "once_a_minute_per_host": {"()": "serving.middleware.DisallowedHostLogFilter"},
}
# Any client can send any Host: one line per host a minute, never a traceback each.
LOGGING["loggers"]["django.security.DisallowedHost"] = {
    "handlers": ["console"],
    "level": "ERROR",
    "filters": ["once_a_minute_per_host"],
    "propagate": False,
}
LOGGING["loggers"]["django.request"] = {
    "handlers": ["console"],
    "level": "ERROR",
    "filters": ["skip_database_outages"],
    "propagate": False,
}

# Shared reader pages (the pagecache app). Stored pages are invalidated exactly, so their
# lifetime in the shared cache only bounds memory; 0 turns storing off. Only a shared cache
# can be invalidated for every process: without REDIS_URL, pages are stored only by the
# single-process development server (and the tests).
PAGE_CACHE_SECONDS = int(
    os.environ.get("NEWSROOM_PAGE_CACHE_SECONDS", "600" if REDIS_URL or DEBUG else "0")
)
# Fragments shared by many pages ("Latest stories", the region menu) are kept as long, and
# this long while whole pages are not stored.
PAGE_FRAGMENT_SECONDS = 600
# What a CDN or proxy may keep without asking again (Cache-Control s-maxage): the longest a
# change takes to reach a reader behind one. Browsers ask again at every visit (max-age 0),
# which the page cache answers with a 304 while the page is unchanged.
PAGE_MAX_AGE = int(os.environ.get("NEWSROOM_PAGE_MAX_AGE", "30"))
PAGE_BROWSER_MAX_AGE = int(os.environ.get("NEWSROOM_PAGE_BROWSER_MAX_AGE", "0"))
PAGE_STALE_WHILE_REVALIDATE = int(os.environ.get("NEWSROOM_PAGE_STALE_WHILE_REVALIDATE", "30"))
# How long cached pages are trusted without checking the database for invalidations the
# shared cache did not take (renewed halfway, so under traffic it never runs out); also about
# how long an editor waits if the shared cache refuses an invalidation (see pagecache).
PAGE_CACHE_LEASE_SECONDS = 4
# The first part of an address that makes a page "about" one thing (pagecache.keys).
PAGE_CACHE_SUBJECTS = ("articles", "regions", "rubrics", "tags", "authors", "pages")
# The query parameters reader pages read; any other is dropped before the view sees it.
PAGE_CACHE_QUERY_PARAMETERS = ("page", "p", "q", "region", "rubric", "reviews_page")
# Sections whose pages read other parameters than reader pages, passed to them as sent: the
# content API's (api.views), which refuses what it does not understand.
PAGE_CACHE_QUERY_PARAMETERS_BY_PREFIX = {
    "/api/": (
        *("cursor", "limit", "ordering", "updated_since"),
        *("region", "rubric", "tag", "author", "q", "page", "language"),
    ),
}
# Addresses about the same thing as a reader page, under its subject: the API's answers about a
# story, region, rubric, tag or author go stale exactly when its page does.
PAGE_CACHE_SUBJECT_ALIASES = {
    "/api/v1/stories/": "/articles/",
    "/api/v1/regions/": "/regions/",
    "/api/v1/rubrics/": "/rubrics/",
    "/api/v1/tags/": "/tags/",
    "/api/v1/authors/": "/authors/",
}
# Never looked up: staff and secret pages, and files served without the page cache.
PAGE_CACHE_EXCLUDED_PREFIXES = (
    "/admin/",
    "/preview/",
    "/share/",
    # The newsletter's sign-up, confirmation, preferences and unsubscribe pages.
    "/newsletter/",
    # "Your data": the request form and the pages of its emailed link (datarights).
    "/your-data/",
    "/healthz",
    "/static/",
    "/media/",
)
# New pages one client may add to the cache per minute; past it its pages are served, not kept.
PAGE_CACHE_STORES_PER_CLIENT = int(os.environ.get("NEWSROOM_PAGE_CACHE_STORES_PER_CLIENT", "120"))
