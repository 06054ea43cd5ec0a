"""Benchmark Newsroom as readers meet it: gunicorn, PostgreSQL, Redis and nginx, 100,000 stories.

Usage (from the project root)::

    make bench                                   # or: .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --reuse        # keep an already seeded database

Every figure is a share of the floor, measured in the same run: a hello-world Django project
(``bench/floor/floor.py``) served by gunicorn exactly as the site is. Steps, all in one run:

1. (Re)create the PostgreSQL database (default ``newsroom_bench``; only a name containing
   "bench" is ever dropped), migrate, seed 100,000 stories and 1,000,000 reviews with
   ``seed_demo`` and time it, then ``VACUUM ANALYZE`` as autovacuum would after a load.
2. Start a redis-server of the bench's own on a free port (``BENCH_REDIS_URL`` names another
   instead; the bench then keeps to a key prefix of its own), three gunicorns with
   ``gunicorn.conf.py`` (the floor; the site with the page cache on; the site with
   ``NEWSROOM_PAGE_CACHE_SECONDS=0``) and nginx with ``deploy/nginx/newsroom.conf`` in front
   of the cached site.
3. Load every page with ``wrk -t2 -c2`` and ``Accept-Encoding: gzip, br``, the pages taking
   turns in short slices so that whatever else the machine does falls on all of them alike.
4. Unpublish the story behind nginx and time how long nginx goes on serving it; then publish
   it again.
5. Print the table and the targets met or missed, and write them to
   ``bench/results/<date>-<time>.md`` (git-ignored).
"""

import argparse
import contextlib
import http.client
import os
import platform
import pwd
import queue
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
GUNICORN = str(VENV_BIN / "gunicorn")
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
FLOOR_DIR = ROOT / "bench" / "floor"
NGINX_CONF = ROOT / "deploy" / "nginx" / "newsroom.conf"
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "var" / "bench"

# What a browser sends; the pages answer with Brotli.
ACCEPT_ENCODING = "gzip, br"
SEARCH_QUERY = "water sharing"
DEEP_PAGE = 500
STORIES_PER_PAGE = 20
# The content API's stories list: its page this deep (by cursor) against its first page.
API_DEEP_PAGE = 5000
API_PAGE_SIZE = 20
FLOOR_BODY = b"Hello, world."
POLL_SECONDS = 0.5
NGINX_CLOCK_SECONDS = 1

# Issue #11's targets on a 2-core machine.
WARM_SHARE = 0.80  # cache warm: home, region, story, feed, search, as a share of the floor
MISS_STORY_SHARE = 0.04  # page-cache miss: the story page
MISS_STORY_P99_MS = 100
MISS_FEED_SHARE = 0.03  # page-cache miss: the RSS feed
GZIP_SHARE = 0.30  # the home page gzip'd, as a share of its raw bytes
NGINX_SHARE = 0.50  # the story from nginx's cache, as a share of nginx sending a file that size
SEED_SECONDS = 300
WORKER_RSS_MB = 150
API_DEEP_RATIO = 1.2  # uncached: the API's deep cursor page costs at most this × its first
# Django internals the code must not drive (written so that this file does not match them).
PRIVATE_ORM_PATTERN = r"get[_]compiler|apply[_]converters|\.query\.is[_]sliced"


@dataclass
class Measurement:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int = 0


@dataclass
class Slot:
    """One page on one server: what takes a turn in the rotation."""

    server: str  # "floor", "warm", "miss", "nginx"
    page: str
    url: str
    slices: list[Measurement] = field(default_factory=list)

    @property
    def result(self) -> Measurement:
        return combine(self.slices)


@dataclass
class Unpublish:
    seconds: float | None = None  # from the commit to nginx's first 404 (or 410)
    gone_status: int = 0
    polls: int = 0
    app_status: int = 0  # what gunicorn itself answered just after the commit
    refreshed_before: float | None = None  # how long before the change nginx last fetched it
    s_maxage: int = 30
    trail: list[str] = field(default_factory=list)
    restored: bool = False
    error: str = ""  # why the application could not unpublish the story, if it could not


@dataclass
class Report:
    started: datetime
    options: argparse.Namespace
    redis: str
    seeding: dict[str, float]
    pages: dict[str, str]
    slots: list[Slot] = field(default_factory=list)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    rss: dict[str, list[float]] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    private_orm: list[str] = field(default_factory=list)
    unpublish: Unpublish = field(default_factory=Unpublish)

    def slot(self, server: str, page: str) -> Slot:
        return next(slot for slot in self.slots if (slot.server, slot.page) == (server, page))

    @property
    def floor(self) -> float:
        return self.slot("floor", "floor").result.requests_per_second

    def share(self, server: str, page: str) -> float:
        return self.slot(server, page).result.requests_per_second / self.floor


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench"
        ),
        help="PostgreSQL database to (re)create and load (its name must contain 'bench')",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", ""),
        help="a Redis to use (default: a redis-server of the bench's own on a free port)",
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds of load per page (default 10)"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="turns the pages take in rotation (default 5)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--connections", type=int, default=2, help="wrk connections (default 2)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database when it already holds the stories: no drop, no seeding",
    )
    parser.add_argument(
        "--skip-unpublish", action="store_true", help="leave out the unpublish test (about 1 min)"
    )
    options = parser.parse_args()
    for program in ("wrk", "nginx"):
        if not shutil.which(program) and not Path(f"/usr/sbin/{program}").exists():
            sys.exit(f"{program} not found: apt-get install {program}")

    database_name = urlsplit(options.database_url).path.lstrip("/")
    if "bench" not in database_name:
        sys.exit(
            f"Refusing to use {database_name!r}: the benchmark database's name must say bench."
        )
    WORK.mkdir(parents=True, exist_ok=True)
    started = datetime.now()
    print(f"Newsroom benchmark, {started:%Y-%m-%d %H:%M}, {os.cpu_count()} cores")

    with contextlib.ExitStack() as stack:
        redis_url, redis_label, prefix = start_redis(options, stack, started)
        env = app_environment(options, redis_url, prefix)
        seeding = prepare_database(options, env)
        step("collectstatic")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        pages = choose_pages(options.database_url)
        pages.update(api_pages(options.database_url, env, pages["story"]))
        for name, path in pages.items():
            print(f"  {name:<12} {path}")
        report = Report(started, options, redis_label, seeding, pages)
        report.private_orm = private_orm_uses()
        serve_and_measure(report, env, stack)

    text = render_report(report)
    print()
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{started:%Y-%m-%d-%H%M}.md"
    path.write_text(text)
    print(f"Written to {path.relative_to(ROOT)}")
    return 0


def step(text: str) -> None:
    print(f"== {text}", flush=True)


def free_ports(count: int) -> list[int]:
    """Return *count* different loopback ports that nothing listens on just now."""
    with contextlib.ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]


def accepts_connections(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


# -- Processes ------------------------------------------------------------------------------------


class Server:
    """Run one server in a process group of its own; stop it (and only it) on exit."""

    def __init__(self, name: str, command: list[str], ready: Callable[[], bool], **popen):
        self.name = name
        self.command = command
        self.ready = ready
        self.popen = popen
        self.log = WORK / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                self.command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                **self.popen,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"{self.name} exited at start; see {self.log}")
            with contextlib.suppress(OSError):
                if self.ready():
                    return self
            time.sleep(0.2)
        self.__exit__(None, None, None)
        sys.exit(f"{self.name} was not ready within 30 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def children_rss_mb(self) -> list[float]:
        """Return the resident memory of each of the process's children (workers), in MB."""
        sizes = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            parent = re.search(r"^PPid:\s+(\d+)", status, re.M)
            rss = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
            if parent and rss and int(parent.group(1)) == self.process.pid:
                sizes.append(int(rss.group(1)) / 1024)
        return sorted(sizes)


def start_redis(options, stack: contextlib.ExitStack, started: datetime) -> tuple[str, str, str]:
    """Return the Redis URL, how to describe it, and the cache key prefix to use."""
    import redis

    if options.redis_url:
        # Someone else's Redis: a prefix of this run's own, its keys deleted at the end.
        prefix = f"newsroom-bench-{started:%Y%m%d%H%M%S}"
        stack.callback(delete_keys, options.redis_url, prefix)
        return options.redis_url, f"{redis_url_label(options.redis_url)}, prefix {prefix}", prefix
    program = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(program).exists():
        sys.exit("redis-server not found: apt-get install redis-server, or set BENCH_REDIS_URL")
    (port,) = free_ports(1)
    folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="newsroom-bench-redis-"))
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=1)

    def ready() -> bool:
        try:
            return client.ping()
        except redis.RedisError:
            return False

    step(f"redis-server of our own on port {port}")
    stack.enter_context(
        Server(
            "redis",
            [
                program,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                folder,
            ],
            ready,
        )
    )
    return url, f"redis-server of the bench's own (port {port})", "newsroom-bench"


def redis_url_label(url: str) -> str:
    """Return *url* without its password, to show in the report."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"Redis at {parts.hostname}{port}{parts.path}"


def delete_keys(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    for batch in batched(client.scan_iter(match=f"{prefix}:*", count=1000), 1000):
        client.delete(*batch)


def batched(items, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def app_environment(options, redis_url: str, prefix: str) -> dict[str, str]:
    """Return the environment of a production process on loopback, for manage.py and gunicorn."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_", "NEWSROOM_"))
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_CACHE_PREFIX=prefix,
        DATABASE_URL=options.database_url,
        REDIS_URL=redis_url,
        STATIC_ROOT=str(WORK / "static"),
        MEDIA_ROOT=str(WORK / "media"),
        GUNICORN_WORKERS=str(options.workers),
        GUNICORN_ACCESS_LOG="off",
        GUNICORN_LOG_LEVEL="warning",
        # A worker recycled mid-run would skew both the figures and the memory measurement.
        GUNICORN_MAX_REQUESTS="0",
        # One client (wrk) asks for API pages thousands of times a second: a limit it never
        # reaches, so that the counting is measured but no answer is a 429.
        API_RATE_LIMIT_COUNT="1000000000",
        PYTHONUNBUFFERED="1",
    )
    env.pop("DATABASE_REPLICA_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def gunicorn(name: str, env: dict[str, str], port: int, ready_path: str, *app: str) -> Server:
    """Return gunicorn with ``gunicorn.conf.py`` on *port*; *app* overrides its wsgi_app."""
    base = f"http://127.0.0.1:{port}"
    return Server(
        name,
        [GUNICORN, "--config", str(GUNICORN_CONF), *app],
        lambda: fetch(base + ready_path).status == 200,
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
    )


def manage(env: dict[str, str], *args: str, hint: str = "") -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(f"manage.py {' '.join(args)} failed" + (f"; {hint}" if hint else ""))
    return result.stdout


# -- The database ---------------------------------------------------------------------------------


def admin_connection(database_url: str, database: str = "postgres"):
    import psycopg

    parts = urlsplit(database_url)
    return psycopg.connect(urlunsplit(parts._replace(path=f"/{database}")), autocommit=True)


def stories_in(database_url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(database_url) as connection:
            row = connection.execute(
                "SELECT count(*) FROM articles_article WHERE slug LIKE 'generated-%'"
            ).fetchone()
            return row[0]
    except psycopg.Error:
        return 0


def prepare_database(options, env) -> dict[str, float]:
    """Create, migrate and seed the database; return the seconds each step took."""
    from psycopg import sql

    name = urlsplit(options.database_url).path.lstrip("/")
    timings: dict[str, float] = {}
    if options.reuse and stories_in(options.database_url) >= options.articles:
        step(f"reusing {name} (already holds {options.articles:,} generated stories)")
        manage(
            env,
            "migrate",
            "--noinput",
            "--verbosity",
            "0",
            hint="the database's migrations no longer fit the code: run without --reuse",
        )
        return timings
    step(f"recreating database {name}")
    with admin_connection(options.database_url) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    step("migrate")
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    step(f"seed_demo --articles {options.articles} --reviews {options.reviews}")
    began = time.monotonic()
    output = manage(
        env, "seed_demo", "--articles", str(options.articles), "--reviews", str(options.reviews)
    )
    timings["seed_demo"] = time.monotonic() - began
    print("  " + "\n  ".join(line for line in output.splitlines() if line.strip()))
    step("VACUUM ANALYZE (what autovacuum does after a bulk load)")
    began = time.monotonic()
    with admin_connection(options.database_url, name) as connection:
        connection.execute("VACUUM ANALYZE")
    timings["vacuum"] = time.monotonic() - began
    print(f"  seeding took {timings['seed_demo']:.0f} s, vacuum {timings['vacuum']:.0f} s")
    return timings


def choose_pages(database_url: str) -> dict[str, str]:
    """Return the site's pages to measure: the biggest region, the most reviewed story…"""
    import psycopg

    with psycopg.connect(database_url) as connection:
        region, stories = connection.execute(
            """
            SELECT region.slug, count(*) FROM articles_region region
            JOIN articles_article story ON story.region_id = region.id
            WHERE story.status = 'published' AND story.publish_at <= now()
            GROUP BY region.slug ORDER BY count(*) DESC, region.slug LIMIT 1
            """
        ).fetchone()
        story = connection.execute(
            """
            SELECT story.slug FROM articles_article story
            WHERE story.id = (
                SELECT article_id FROM reviews_review WHERE status = 'approved'
                GROUP BY article_id ORDER BY count(*) DESC LIMIT 1
            )
            """
        ).fetchone()[0]
    deep = min(DEEP_PAGE, max(1, -(-stories // STORIES_PER_PAGE)))
    return {
        "healthz": "/healthz",
        "home": "/",
        "region": f"/regions/{region}/",
        f"region p{deep}": f"/regions/{region}/?page={deep}",
        "story": f"/articles/{story}/",
        "feed": "/feed/",
        "search": f"/search/?q={SEARCH_QUERY.replace(' ', '+')}",
    }


def api_pages(database_url: str, env: dict[str, str], story_page: str) -> dict[str, str]:
    """Return the content API's pages: the stories list, its page API_DEEP_PAGE, a story.

    The deep page's cursor is the one the API's own "next" links would carry there: the sort
    key of the last story of the page before, read with an OFFSET here (once), signed by the
    API's code with the servers' secret key.
    """
    import psycopg

    with psycopg.connect(database_url) as connection:
        public = connection.execute(
            "SELECT count(*) FROM articles_article "
            "WHERE status = 'published' AND publish_at <= now()"
        ).fetchone()[0]
        deep = max(2, min(API_DEEP_PAGE, -(-public // API_PAGE_SIZE)))
        publish_at, pk = connection.execute(
            "SELECT publish_at, id FROM articles_article "
            "WHERE status = 'published' AND publish_at <= now() "
            "ORDER BY publish_at DESC, id DESC OFFSET %s LIMIT 1",
            ((deep - 1) * API_PAGE_SIZE - 1,),
        ).fetchone()
    cursor = manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from datetime import datetime; "
        "from api.pagination import encode_cursor; from api.views import STORIES_NEWEST; "
        f"print(encode_cursor(STORIES_NEWEST, [datetime.fromisoformat({publish_at.isoformat()!r}),"
        f" {pk}]))",
    ).strip()
    slug = story_page.rstrip("/").rpartition("/")[2]
    return {
        "api stories": f"/api/v1/stories/?limit={API_PAGE_SIZE}",
        f"api p{deep}": f"/api/v1/stories/?limit={API_PAGE_SIZE}&cursor={cursor}",
        "api story": f"/api/v1/stories/{slug}/",
    }


def private_orm_uses() -> list[str]:
    """Return the lines of the project's Python that drive Django's compiler or converters."""
    result = subprocess.run(
        ["grep", "-rnE", PRIVATE_ORM_PATTERN, "--include=*.py", "--exclude-dir=.venv", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return result.stdout.splitlines()


# -- Serving and measuring ------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(url: str, encoding: str | None = ACCEPT_ENCODING, timeout: float = 30) -> Answer:
    """GET *url* with this Accept-Encoding (None: identity); the body as sent, not decoded."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers={"Accept-Encoding": encoding or "identity"})
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, headers, response.read())
    finally:
        connection.close()


def serve_and_measure(report: Report, env: dict[str, str], stack: contextlib.ExitStack) -> None:
    options = report.options
    ports = dict(zip(("floor", "warm", "miss", "nginx", "file"), free_ports(5), strict=True))
    bases = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}

    step("gunicorn: the floor, the site (page cache on), the site (page cache off)")
    floor_env = {key: value for key, value in env.items() if not key.startswith("DJANGO_")}
    servers = {
        "floor": gunicorn(
            "gunicorn-floor",
            floor_env,
            ports["floor"],
            "/",
            "--chdir",
            str(FLOOR_DIR),
            "floor:application",
        ),
        "warm": gunicorn("gunicorn-warm", env, ports["warm"], "/healthz"),
        "miss": gunicorn(
            "gunicorn-miss", {**env, "NEWSROOM_PAGE_CACHE_SECONDS": "0"}, ports["miss"], "/healthz"
        ),
    }
    for server in servers.values():
        stack.enter_context(server)
    floor = fetch(bases["floor"] + "/")
    if floor.body != FLOOR_BODY:
        sys.exit(f"The floor's gunicorn answered {floor.body[:80]!r}: not bench/floor/floor.py")
    step("nginx with deploy/nginx/newsroom.conf in front of the cached site")
    servers["nginx"] = stack.enter_context(nginx(ports))

    pages = report.pages
    floor = Slot("floor", "floor", bases["floor"] + "/")
    warm = [Slot("warm", name, bases["warm"] + path) for name, path in pages.items()]
    miss = [
        Slot("miss", name, bases["miss"] + path)
        for name, path in pages.items()
        if name != "healthz"
    ]
    proxied = [
        Slot("nginx", "story", bases["nginx"] + pages["story"]),
        Slot("nginx", "file", bases["file"] + "/story-sized.bin"),
    ]
    report.slots = [floor, *warm, *miss, *proxied]
    check_pages(report, bases)
    # The floor takes a turn before each group of pages, so that what it is compared with is
    # never long after it.
    rotation = [floor, *warm, floor, *miss, floor, *proxied]

    # Warm every worker: imports, templates, connections, the page cache, nginx's cache.
    for _round in range(3 * options.workers):
        for slot in report.slots:
            fetch(slot.url)
    report.load_before = os.getloadavg()
    seconds = max(1, round(options.duration / options.rounds))
    step(
        f"{len(report.slots)} pages, {options.rounds} turns of {seconds} s each, the floor 3 "
        f"turns a round (about {len(rotation) * options.rounds * seconds // 60 + 1} min)"
    )
    # Other work on the machine comes and goes: the pages take turns, a slice of the time
    # each, so that every page (and the floor) meets the same conditions.
    for turn in range(options.rounds):
        for slot in rotation:
            slot.slices.append(load(slot.url, seconds, options.connections))
        print(f"  turn {turn + 1}/{options.rounds} done, load {fmt_load(os.getloadavg())}")
    report.load_after = os.getloadavg()
    for slot in report.slots:
        result = slot.result
        turns = " ".join(f"{part.requests_per_second:.0f}" for part in slot.slices)
        print(
            f"  {slot.server:<5} {slot.page:<12} {result.requests_per_second:7.0f} req/s  "
            f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms  (turns: {turns})"
            + (f"  {result.errors} errors" if result.errors else ""),
            flush=True,
        )
    report.rss = {name: servers[name].children_rss_mb() for name in ("floor", "warm", "miss")}

    if not options.skip_unpublish:
        step("unpublish the story behind nginx")
        report.unpublish = unpublish_behind_nginx(env, bases, pages["story"], options.database_url)


def nginx(ports: dict[str, int]) -> Server:
    """Return nginx running the shipped configuration, under var/bench/nginx, in the foreground.

    Only what must change is substituted: the port it listens on, gunicorn's address and the
    cache directory. A second server on another port sends a plain file, for comparison.
    """
    home = WORK / "nginx"
    shutil.rmtree(home, ignore_errors=True)
    for folder in ("cache", "temp", "static", "logs"):
        (home / folder).mkdir(parents=True)
    shipped = NGINX_CONF.read_text()
    substitutions = {
        "listen 80;": f"listen 127.0.0.1:{ports['nginx']};",
        "listen [::]:80;": "# (the bench listens on loopback only)",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{ports['warm']};",
        "/var/cache/nginx/newsroom": str(home / "cache"),
    }
    for old, new in substitutions.items():
        if shipped.count(old) != 1:
            sys.exit(
                f"{NGINX_CONF.relative_to(ROOT)} no longer holds {old!r} once: see bench/run.py"
            )
        shipped = shipped.replace(old, new)
    (home / "newsroom.conf").write_text(shipped)
    temp = home / "temp"
    # As Debian's /etc/nginx/nginx.conf, less its logs, TLS and modules; and the file server.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    (home / "nginx.conf").write_text(
        f"""{user}
daemon off;
worker_processes auto;
pid {home}/nginx.pid;
error_log {home}/logs/error.log warn;
events {{
    worker_connections 768;
}}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    gzip on;
    client_body_temp_path {temp}/client_body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;

    include {home}/newsroom.conf;

    server {{
        listen 127.0.0.1:{ports["file"]};
        root {home}/static;
    }}
}}
"""
    )
    program = shutil.which("nginx") or "/usr/sbin/nginx"
    check = subprocess.run(
        [program, "-t", "-q", "-p", f"{home}/", "-c", str(home / "nginx.conf"), "-e", "stderr"],
        capture_output=True,
        text=True,
    )
    if check.returncode != 0:
        sys.exit(f"nginx refuses the configuration:\n{check.stderr}")
    return Server(
        "nginx",
        [program, "-p", f"{home}/", "-c", str(home / "nginx.conf"), "-e", str(home / "logs")],
        lambda: accepts_connections(ports["nginx"]) and accepts_connections(ports["file"]),
        cwd=home,
    )


def check_pages(report: Report, bases: dict[str, str]) -> None:
    """Check that every page answers 200; keep the headers and sizes the report shows."""
    story = report.pages["story"]
    for slot in report.slots:
        if slot.server == "nginx":
            continue
        answer = fetch(slot.url)
        if answer.status != 200:
            hint = " (a run stopped while the story was a draft?)" if slot.page == "story" else ""
            sys.exit(
                f"{slot.server} {slot.page} ({slot.url}) answered {answer.status}, not 200{hint}"
            )
    # The static file nginx sends for comparison: as many bytes as the story it sends.
    sent = fetch(bases["warm"] + story)
    (WORK / "nginx" / "static" / "story-sized.bin").write_bytes(sent.body)
    for slot in report.slots:
        if slot.server == "nginx":
            answer = fetch(slot.url)
            if answer.status != 200:
                sys.exit(f"nginx {slot.page} ({slot.url}) answered {answer.status}, not 200")
    for label, url in (
        ("story, page cache on", bases["warm"] + story),
        ("story, page cache off", bases["miss"] + story),
        ("story through nginx", bases["nginx"] + story),
        ("feed, page cache on", bases["warm"] + report.pages["feed"]),
    ):
        fetch(url)
        report.headers[label] = fetch(url).headers
    home = bases["warm"] + "/"
    report.sizes = {
        "home raw": len(fetch(home, None).body),
        "home gzip": len(fetch(home, "gzip").body),
        "home br": len(fetch(home, "br").body),
        "story sent": len(sent.body),
    }


def load(url: str, seconds: int, connections: int) -> Measurement:
    threads = min(2, connections)
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Accept-Encoding: {ACCEPT_ENCODING}",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    return parse_wrk(result.stdout)


def parse_wrk(output: str) -> Measurement:
    """Read requests/s, the 50th and 99th latency percentiles and the errors from wrk."""

    def ms(text: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    total = re.search(r"(\d+) requests in", output)
    if not (rate and p50 and p99 and total):
        sys.exit(f"Could not read wrk's output:\n{output}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(number) for number in socket_errors.groups())
    return Measurement(
        float(rate.group(1)), ms(p50.group(1)), ms(p99.group(1)), int(total.group(1)), errors
    )


def combine(slices: list[Measurement]) -> Measurement:
    """Return one page's figures over its slices: mean requests/s, median p50 and p99."""
    return Measurement(
        statistics.fmean(part.requests_per_second for part in slices),
        statistics.median(part.p50_ms for part in slices),
        statistics.median(part.p99_ms for part in slices),
        sum(part.requests for part in slices),
        sum(part.errors for part in slices),
    )


# -- Unpublishing behind nginx --------------------------------------------------------------------

# Run by `manage.py shell -c`: the change goes through the model, so the app's signals tell
# the page cache. The bench says when (a line on stdin) to unpublish, then to publish again.
EDITOR = """
import os, sys
from articles.models import Article
story = Article.objects.get(slug=os.environ["BENCH_STORY"])
assert story.status == Article.Status.PUBLISHED, story.status
print("ready", flush=True)
sys.stdin.readline()
story.status = Article.Status.DRAFT
story.save()
print("unpublished", flush=True)
sys.stdin.readline()
story.status = Article.Status.PUBLISHED
story.save()
print("published", flush=True)
"""

REFRESHING = {"MISS", "EXPIRED", "STALE", "UPDATING", "REVALIDATED"}


def unpublish_behind_nginx(
    env: dict[str, str], bases: dict[str, str], path: str, database_url: str
) -> Unpublish:
    """Unpublish the story while nginx holds it; time how long nginx goes on serving it.

    To time the longest wait a reader may meet, the change is made just after nginx fetched
    the page afresh (its copy is then good for the whole s-maxage).
    """
    outcome = Unpublish()
    proxied = bases["nginx"] + path
    cache_control = fetch(proxied).headers.get("cache-control", "")
    found = re.search(r"s-maxage=(\d+)", cache_control)
    outcome.s_maxage = int(found.group(1)) if found else 0
    slug = path.strip("/").split("/")[-1]
    editor = Editor(env, slug)
    try:
        editor.expect("ready")
        # Wait for nginx to go to gunicorn for the page (its copy expired), then for the copy
        # it brought back.
        deadline = time.monotonic() + 2 * outcome.s_maxage + 10
        refreshed = None
        while time.monotonic() < deadline:
            status = fetch(proxied).headers.get("x-cache-status", "")
            if status in REFRESHING:
                refreshed = time.monotonic()
            elif status == "HIT" and refreshed is not None:
                break
            time.sleep(POLL_SECONDS)
        editor.proceed()
        editor.expect("unpublished")
        changed = time.monotonic()
        if refreshed is not None:
            outcome.refreshed_before = changed - refreshed
        outcome.app_status = fetch(bases["warm"] + path).status
        deadline = changed + 4 * max(outcome.s_maxage, 30)
        while time.monotonic() < deadline:
            answer = fetch(proxied)
            outcome.polls += 1
            elapsed = time.monotonic() - changed
            seen = f"{answer.status} {answer.headers.get('x-cache-status', '-')}"
            if not outcome.trail or not outcome.trail[-1].endswith(f" s {seen}"):
                outcome.trail.append(f"{elapsed:.1f} s {seen}")
            if answer.status in (404, 410):
                outcome.seconds = elapsed
                outcome.gone_status = answer.status
                break
            time.sleep(POLL_SECONDS)
    except EditorFailed as error:
        outcome.error = str(error)
        print(f"  {error}")
    finally:
        if not editor.publish_again():
            print(f"  manage.py shell failed publishing the story again; see {editor.log_path}")
        outcome.restored = publish_in_database(database_url, slug)
    if outcome.restored and fetch(bases["warm"] + path).status != 200:
        print(f"  {path} does not answer 200 again after publishing it")
        outcome.restored = False
    shown = f"{outcome.seconds:.1f} s" if outcome.seconds is not None else "never"
    print(f"  nginx answered {outcome.gone_status or 404} after {shown} ({outcome.polls} polls)")
    return outcome


def publish_in_database(database_url: str, slug: str) -> bool:
    """Make sure the story is published again, so that the next run can reuse the database.

    Only needed when the application failed to (its shell stopped): written straight to the
    table, which the caches of this run, gone with it, need not hear of.
    """
    import psycopg

    with psycopg.connect(database_url) as connection:
        changed = connection.execute(
            "UPDATE articles_article SET status = 'published' "
            "WHERE slug = %s AND status <> 'published'",
            (slug,),
        ).rowcount
        status = connection.execute(
            "SELECT status FROM articles_article WHERE slug = %s", (slug,)
        ).fetchone()
    if changed:
        print("  published the story again straight in the database")
    return status is not None and status[0] == "published"


class EditorFailed(Exception):
    pass


class Editor:
    """``manage.py shell`` running EDITOR; the bench tells it when to take each step."""

    def __init__(self, env: dict[str, str], slug: str):
        self.log_path = WORK / "unpublish.log"
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [PYTHON, "manage.py", "shell", "-c", EDITOR],
                cwd=ROOT,
                env={**env, "BENCH_STORY": slug},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)

    def expect(self, word: str, timeout: float = 120) -> None:
        """Wait for the shell to print *word* on a line of its own."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise EditorFailed(
                    f"manage.py shell did not say {word!r} within {timeout:.0f} s"
                ) from None
            if line is None:
                raise EditorFailed(f"manage.py shell stopped before {word!r}; see {self.log_path}")
            if line == word:
                return

    def proceed(self, steps: int = 1) -> None:
        self.process.stdin.write("\n" * steps)
        self.process.stdin.flush()

    def publish_again(self) -> bool:
        """Take whatever steps are left, so that the story ends published; True if it did."""
        if self.process.poll() is not None:
            return False
        try:
            # Two steps: unpublish (if the bench stopped before it) and publish. A step too
            # many is never read.
            self.proceed(2)
            self.expect("published")
            return True
        except (EditorFailed, BrokenPipeError):
            return False
        finally:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# -- The report -----------------------------------------------------------------------------------


def render_report(report: Report) -> str:
    options = report.options
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    seconds = max(1, round(options.duration / options.rounds))
    lines = [
        f"# Newsroom benchmark, {report.started:%Y-%m-%d %H:%M}",
        "",
        f"Commit {commit or '?'}{' with uncommitted changes' if dirty else ''}; "
        f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
        f"Each gunicorn: `gunicorn.conf.py`, {options.workers} sync workers, access log off, "
        "no worker recycling; the site with DEBUG off, PostgreSQL and "
        f"{report.redis}. `wrk -t{min(2, options.connections)} -c{options.connections}` with "
        f"`Accept-Encoding: {ACCEPT_ENCODING}`; {options.articles:,} stories, "
        f"{options.reviews:,} reviews.",
        "",
    ]
    if report.seeding:
        lines += [
            f"Seeding: `seed_demo` {report.seeding['seed_demo']:.0f} s, then `VACUUM ANALYZE` "
            f"{report.seeding['vacuum']:.0f} s.",
            "",
        ]
    lines += [
        "| page | cache warm req/s | p50 ms | p99 ms | of floor "
        "| page-cache miss req/s | p50 ms | p99 ms | of floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    floor = report.slot("floor", "floor").result
    lines.append(
        f"| **floor**: hello-world Django `/` | {floor.requests_per_second:.0f} | "
        f"{floor.p50_ms:.1f} | {floor.p99_ms:.1f} | 100% | | | | |"
    )
    for name in report.pages:
        label = "healthz (not the floor)" if name == "healthz" else name
        cells = [label]
        for server in ("warm", "miss"):
            try:
                slot = report.slot(server, name)
            except StopIteration:
                cells += ["", "", "", ""]
                continue
            result = slot.result
            cells += [
                f"{result.requests_per_second:.0f}",
                f"{result.p50_ms:.1f}",
                f"{result.p99_ms:.1f}",
                f"{report.share(server, name):.1%}",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    story = report.slot("nginx", "story").result
    file = report.slot("nginx", "file").result
    lines += [
        "",
        "| through nginx (`deploy/nginx/newsroom.conf`) | req/s | p50 ms | p99 ms | of floor "
        "| of the file |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| story, from nginx's cache | {story.requests_per_second:.0f} | {story.p50_ms:.2f} | "
        f"{story.p99_ms:.2f} | {report.share('nginx', 'story'):.0%} | "
        f"{story.requests_per_second / file.requests_per_second:.0%} |",
        f"| a file of the same size ({report.sizes['story sent']:,} bytes), from disk | "
        f"{file.requests_per_second:.0f} | {file.p50_ms:.2f} | {file.p99_ms:.2f} | "
        f"{report.share('nginx', 'file'):.0%} | 100% |",
        "",
        f"Every page in {options.rounds} turns of {seconds} s, all of them in rotation, the "
        "floor before each group (cache warm, page-cache miss, nginx): requests/s is the mean "
        "over the turns, p50 and p99 the median of the turns'. Cache warm: the site with its "
        "page cache on, every page requested before. "
        "Page-cache miss: a second gunicorn with `NEWSROOM_PAGE_CACHE_SECONDS=0` renders "
        'every page; the shared fragments ("Latest stories", the region menu, "More '
        'from") stay cached and are warm, as on a live site.',
        "",
    ]
    errors = sum(slot.result.errors for slot in report.slots)
    floor_turns = [part.requests_per_second for part in report.slot("floor", "floor").slices]
    lines.append(
        f"- load average {fmt_load(report.load_before)} before the load, "
        f"{fmt_load(report.load_after)} after; the floor's {len(floor_turns)} turns ranged "
        f"{min(floor_turns):.0f}–{max(floor_turns):.0f} req/s"
        + (f"; {errors} failed requests" if errors else "")
        + "."
    )
    for name, label in (("floor", "floor"), ("warm", "cache warm"), ("miss", "page-cache miss")):
        rss = ", ".join(f"{size:.0f}" for size in report.rss.get(name, []))
        lines.append(f"- worker RSS after the load, {label}: {rss} MB.")
    sizes = report.sizes
    lines.append(
        f"- home page: {sizes['home raw']:,} bytes raw, {sizes['home gzip']:,} gzip'd, "
        f"{sizes['home br']:,} in Brotli."
    )
    lines += unpublish_lines(report.unpublish, options.skip_unpublish)
    lines += ["", "Targets:", ""]
    lines += [f"- {line}" for line in check_targets(report)]
    lines += ["", "Response headers:", ""]
    for label, headers in report.headers.items():
        shown = ", ".join(
            f"{name}: {headers[name]}"
            for name in ("cache-control", "vary", "etag", "content-encoding", "x-cache-status")
            if name in headers
        )
        lines.append(f"- {label}: {shown}")
    lines += [
        "",
        "Pages: " + ", ".join(f"{name} `{path}`" for name, path in report.pages.items()),
        "",
    ]
    return "\n".join(lines)


def unpublish_lines(outcome: Unpublish, skipped: bool) -> list[str]:
    if skipped:
        return ["- unpublish behind nginx: not run (--skip-unpublish)."]
    if outcome.error:
        return [f"- unpublish behind nginx: the application failed: {outcome.error}."]
    refreshed = (
        f"{outcome.refreshed_before:.1f} s after nginx last fetched it"
        if outcome.refreshed_before is not None
        else "nginx's copy of unknown age"
    )
    seconds = f"{outcome.seconds:.1f} s" if outcome.seconds is not None else "never"
    return [
        f"- unpublish behind nginx ({refreshed}): gunicorn answered {outcome.app_status} at "
        f"once; nginx answered {outcome.gone_status or 404} after {seconds}, polled every "
        f"{POLL_SECONDS} s "
        f"({'; '.join(outcome.trail)})"
        + ("" if outcome.restored else "; THE STORY COULD NOT BE PUBLISHED AGAIN")
        + "."
    ]


def fmt_load(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.1f}" for value in load)


def check_targets(report: Report) -> list[str]:
    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    lines = []
    for name in report.pages:
        if name == "healthz":
            continue
        share = report.share("warm", name)
        lines.append(
            f"cache-warm {name} at {share:.0%} of the floor (≥ {WARM_SHARE:.0%}): "
            f"{verdict(share >= WARM_SHARE)}"
        )
    share = report.share("miss", "story")
    lines.append(
        f"page-cache miss story at {share:.1%} of the floor (≥ {MISS_STORY_SHARE:.0%}): "
        f"{verdict(share >= MISS_STORY_SHARE)}"
    )
    p99 = report.slot("miss", "story").result.p99_ms
    lines.append(
        f"page-cache miss story p99 {p99:.1f} ms (< {MISS_STORY_P99_MS} ms): "
        f"{verdict(p99 < MISS_STORY_P99_MS)}"
    )
    deep_name = next(name for name in report.pages if name.startswith("api p"))
    first = report.slot("miss", "api stories").result
    deep = report.slot("miss", deep_name).result
    ratio = first.requests_per_second / deep.requests_per_second
    lines.append(
        f"API stories uncached: {deep_name[4:]} by cursor costs {ratio:.2f}× page 1 "
        f"({deep.requests_per_second:.0f} against {first.requests_per_second:.0f} req/s; "
        f"p50 {deep.p50_ms:.1f} against {first.p50_ms:.1f} ms) (≤ {API_DEEP_RATIO}×): "
        f"{verdict(ratio <= API_DEEP_RATIO)}"
    )
    share = report.share("miss", "feed")
    lines.append(
        f"page-cache miss RSS feed at {share:.1%} of the floor (≥ {MISS_FEED_SHARE:.0%}): "
        f"{verdict(share >= MISS_FEED_SHARE)}"
    )
    gzip_share = report.sizes["home gzip"] / report.sizes["home raw"]
    lines.append(
        f"home gzip'd {report.sizes['home gzip']:,} of {report.sizes['home raw']:,} bytes = "
        f"{gzip_share:.0%} (≤ {GZIP_SHARE:.0%}): {verdict(gzip_share <= GZIP_SHARE)}"
    )
    story = report.slot("nginx", "story").result.requests_per_second
    file = report.slot("nginx", "file").result.requests_per_second
    lines.append(
        f"story from nginx's cache at {story / file:.0%} of nginx sending a file that size "
        f"(≥ {NGINX_SHARE:.0%}): {verdict(story / file >= NGINX_SHARE)}"
    )
    outcome = report.unpublish
    if report.options.skip_unpublish:
        lines.append("unpublish behind nginx: not run (--skip-unpublish)")
    elif outcome.error:
        lines.append(f"unpublish behind nginx: MISSED, the application failed: {outcome.error}")
    else:
        # nginx stamps a copy's expiry in whole seconds: it lives s-maxage to s-maxage + 1 s.
        bound = outcome.s_maxage + NGINX_CLOCK_SECONDS + POLL_SECONDS
        seconds = f"{outcome.seconds:.1f} s" if outcome.seconds is not None else "never"
        lines.append(
            f"unpublished story gone from nginx {seconds} after the change (≤ s-maxage "
            f"{outcome.s_maxage} s + nginx's {NGINX_CLOCK_SECONDS} s clock + one poll "
            f"= {bound:.1f} s): "
            f"{verdict(outcome.seconds is not None and outcome.seconds <= bound)}"
        )
    lines.append(
        f"no private ORM API (grep -rnE '{PRIVATE_ORM_PATTERN}' --include=*.py): "
        + (
            "met"
            if not report.private_orm
            else f"MISSED, {len(report.private_orm)} lines: " + "; ".join(report.private_orm[:5])
        )
    )
    if report.seeding:
        lines.append(
            f"seeding {report.seeding['seed_demo']:.0f} s (< {SEED_SECONDS} s): "
            f"{verdict(report.seeding['seed_demo'] < SEED_SECONDS)}"
        )
    else:
        lines.append("seeding: not run (--reuse)")
    largest = max(report.rss.get("warm", []) + report.rss.get("miss", []), default=0)
    lines.append(
        f"largest site worker {largest:.0f} MB resident (< {WORKER_RSS_MB} MB): "
        f"{verdict(largest < WORKER_RSS_MB)}"
    )
    return lines


if __name__ == "__main__":
    sys.exit(main())
