"""Benchmark Newsroom as readers meet it: gunicorn, PostgreSQL and Redis, 100,000 stories.

Usage (from the project root)::

    make bench                                   # or: .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --reuse        # keep an already seeded database

Steps, all in one run:

1. (Re)create the PostgreSQL database (default ``newsroom_bench``; only a name containing
   "bench" is ever dropped), migrate, seed 100,000 stories and 1,000,000 reviews with
   ``seed_demo`` and time it, then ``VACUUM ANALYZE`` as autovacuum would after a load.
2. ``collectstatic``, then gunicorn with ``gunicorn.conf.py`` on loopback: 2 sync workers,
   DEBUG off, ``DJANGO_SECURE_SSL_REDIRECT=0``, the shared cache in its own Redis database,
   access log off and no worker recycling (so the memory figure is that of a worker that
   served the whole run).
3. For each page, ``wrk`` for ``--duration`` seconds with one connection per worker, so that
   latency is the time to serve a request rather than time spent queueing: ``/healthz`` (the
   floor: one query and one cache round trip), the home page, a region page, the story with
   1,000 reviews, page 500 of that region, and a search. The pages take turns (``--rounds``
   slices each), so that load from elsewhere on the machine falls on all of them alike.
   First with the page cache warm, then in a second gunicorn with it off
   (``NEWSROOM_PAGE_CACHE_SECONDS=0``).
4. Print the table (requests/s, p50, p99 and requests/s as a share of the floor's), the
   targets met or missed, each worker's resident memory after each run and the load average,
   and write it all to ``bench/results/<date>.md`` (git-ignored).

Without ``wrk`` (``apt-get install wrk``) a small threaded Python client stands in; it is
slower than the site, so its figures are a lower bound. Only loopback is ever loaded.
"""

import argparse
import http.client
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
GUNICORN = str(VENV_BIN / "gunicorn")
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "var" / "bench"

SEARCH_QUERY = "water sharing"
DEEP_PAGE = 500
STORIES_PER_PAGE = 20

# The targets on a 2-core machine.
WARM_SHARE = 0.50  # cache-warm story, home and list: at least this share of the floor's rps
COLD_STORY_SHARE = 0.10  # cache-disabled story page: at least this share of the floor's rps
COLD_STORY_P99_MS = 50
COLD_HOME_P99_MS = 80
DEEP_PAGE_FACTOR = 2.0  # page 500 within twice the latency of page 1
SEED_SECONDS = 300
WORKER_RSS_MB = 150


@dataclass
class Measurement:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int = 0


@dataclass
class Run:
    label: str
    cache_seconds: int
    results: dict[str, Measurement] = field(default_factory=dict)
    worker_rss_mb: list[float] = field(default_factory=list)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def floor(self) -> float:
        return self.results["healthz"].requests_per_second


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
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8"),
        help="Redis database for the shared cache; flushed before each run",
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per page and mode")
    parser.add_argument(
        "--rounds", type=int, default=5, help="turns the pages take in rotation (default 5)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--connections", type=int, default=0, help="concurrent connections (default: workers)"
    )
    parser.add_argument("--port", type=int, default=8031)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database when it already holds the stories: no drop, no seeding",
    )
    parser.add_argument(
        "--client", choices=["auto", "wrk", "python"], default="auto", help="load generator"
    )
    options = parser.parse_args()
    options.connections = options.connections or options.workers
    client = choose_client(options.client)

    database_name = urlsplit(options.database_url).path.lstrip("/")
    if "bench" not in database_name:
        sys.exit(
            f"Refusing to use {database_name!r}: the benchmark database's name must say bench."
        )
    WORK.mkdir(parents=True, exist_ok=True)
    env = app_environment(options)

    started = datetime.now()
    print(f"Newsroom benchmark, {started:%Y-%m-%d %H:%M}, {os.cpu_count()} cores, client {client}")
    seeding = prepare_database(options, env)
    step("collectstatic")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    pages = choose_pages(options.database_url)
    for name, path in pages.items():
        print(f"  {name:<14} {path}")

    runs = [Run("cache warm", 600), Run("cache disabled", 0)]
    for run in runs:
        measure(run, pages, options, env, client)

    report = render_report(started, options, client, seeding, pages, runs)
    print()
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{started:%Y-%m-%d-%H%M}.md"
    path.write_text(report)
    print(f"Written to {path.relative_to(ROOT)}")
    return 0


def step(text: str) -> None:
    print(f"== {text}", flush=True)


def choose_client(wanted: str) -> str:
    if wanted == "python" or (wanted == "auto" and not shutil.which("wrk")):
        if wanted == "auto":
            print("wrk not found (apt-get install wrk): using the slower Python client")
        return "python"
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk, or pass --client python")
    return "wrk"


def app_environment(options) -> dict[str, str]:
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
        DATABASE_URL=options.database_url,
        REDIS_URL=options.redis_url,
        STATIC_ROOT=str(WORK / "static"),
        MEDIA_ROOT=str(WORK / "media"),
        GUNICORN_WORKERS=str(options.workers),
        GUNICORN_ACCESS_LOG="off",
        GUNICORN_LOG_LEVEL="warning",
        # A worker recycled mid-run would skew both the figures and the memory measurement.
        GUNICORN_MAX_REQUESTS="0",
        PYTHONUNBUFFERED="1",
    )
    env.pop("DATABASE_REPLICA_URL", None)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(f"manage.py {' '.join(args)} failed")
    return result.stdout


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
        manage(env, "migrate", "--noinput", "--verbosity", "0")
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
    """Return the pages to measure: the biggest region, the most reviewed story, a search."""
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
        "story": f"/articles/{story}/",
        f"region p{deep}": f"/regions/{region}/?page={deep}",
        "search": f"/search/?q={SEARCH_QUERY.replace(' ', '+')}",
    }


class Gunicorn:
    """Run gunicorn in its own process group; stop it (and only it) on exit."""

    def __init__(self, env: dict[str, str], port: int, log: Path):
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
        self.base = f"http://127.0.0.1:{port}"
        self.port = port
        self.log = log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                sys.exit(f"Port {self.port} is taken: pass another with --port.")
        log = self.log.open("w")
        self.process = subprocess.Popen(
            [GUNICORN, "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited at start; see {self.log}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        sys.exit(f"gunicorn did not answer /healthz within 30 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def worker_rss_mb(self) -> list[float]:
        """Return the resident memory of each worker (the master's children), in MB."""
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


def measure(run: Run, pages: dict[str, str], options, env: dict[str, str], client: str) -> None:
    import redis

    step(f"{run.label}: gunicorn with NEWSROOM_PAGE_CACHE_SECONDS={run.cache_seconds}")
    redis.Redis.from_url(options.redis_url).flushdb()
    server_env = {**env, "NEWSROOM_PAGE_CACHE_SECONDS": str(run.cache_seconds)}
    log = WORK / f"gunicorn-{run.cache_seconds}.log"
    with Gunicorn(server_env, options.port, log) as server:
        for name, path in pages.items():
            status = fetch_status(server.base + path)
            if status != 200:
                sys.exit(f"{name} ({path}) answered {status}, not 200; see {log}")
        # Warm every worker: imports, templates, database connections, the page cache.
        for _round in range(3 * options.workers):
            for path in pages.values():
                fetch_status(server.base + path)
        run.load_before = os.getloadavg()
        # Other work on the machine comes and goes: the pages take turns, a slice of the time
        # each, so that every page (and the floor) meets the same conditions.
        slices: dict[str, list[Measurement]] = {name: [] for name in pages}
        seconds = max(1, round(options.duration / options.rounds))
        for _round in range(options.rounds):
            for name, path in pages.items():
                slices[name].append(load(client, server.base + path, seconds, options.connections))
        for name, measured in slices.items():
            result = run.results[name] = combine(measured)
            print(
                f"  {name:<14} {result.requests_per_second:8.0f} req/s  "
                f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms"
                + (f"  {result.errors} errors" if result.errors else ""),
                flush=True,
            )
        run.load_after = os.getloadavg()
        run.worker_rss_mb = server.worker_rss_mb()


def combine(slices: list[Measurement]) -> Measurement:
    """Return one page's figures over its slices: mean requests/s, median p50 and p99."""
    return Measurement(
        statistics.fmean(part.requests_per_second for part in slices),
        statistics.median(part.p50_ms for part in slices),
        statistics.median(part.p99_ms for part in slices),
        sum(part.requests for part in slices),
        sum(part.errors for part in slices),
    )


def fetch_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def load(client: str, url: str, duration: int, connections: int) -> Measurement:
    if client == "wrk":
        return load_with_wrk(url, duration, connections)
    return load_with_python(url, duration, connections)


def load_with_wrk(url: str, duration: int, connections: int) -> Measurement:
    threads = min(2, connections)
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=duration + 60,
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


def load_with_python(url: str, duration: int, connections: int) -> Measurement:
    """Send requests from *connections* threads for *duration* seconds; time each one."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def worker() -> None:
        mine = []
        while time.monotonic() < deadline:
            began = time.perf_counter()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            try:
                connection.request("GET", target)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
            finally:
                connection.close()
            mine.append((time.perf_counter() - began) * 1000)
        with lock:
            latencies.extend(mine)

    began = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return Measurement(len(latencies) / elapsed, cuts[49], cuts[98], len(latencies), errors[0])


def render_report(started, options, client, seeding, pages, runs: list[Run]) -> str:
    warm, cold = runs
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    lines = [
        f"# Newsroom benchmark, {started:%Y-%m-%d %H:%M}",
        "",
        f"Commit {commit or '?'}; {platform.node()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; gunicorn {options.workers} sync workers, DEBUG off, "
        f"Redis cache; {client} with {options.connections} connections, {options.duration} s "
        f"per page; {options.articles:,} stories, {options.reviews:,} reviews.",
        "",
    ]
    if seeding:
        lines += [
            f"Seeding: `seed_demo` {seeding['seed_demo']:.0f} s, then `VACUUM ANALYZE` "
            f"{seeding['vacuum']:.0f} s.",
            "",
        ]
    lines += [
        "| page | warm req/s | p50 ms | p99 ms | of floor | disabled req/s | p50 ms | p99 ms "
        "| of floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in pages:
        cells = [name if name != "healthz" else "healthz (floor)"]
        for run in runs:
            result = run.results[name]
            cells += [
                f"{result.requests_per_second:.0f}",
                f"{result.p50_ms:.1f}",
                f"{result.p99_ms:.1f}",
                f"{result.requests_per_second / run.floor:.0%}",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Each page in {options.rounds} turns of {max(1, round(options.duration / options.rounds))}"
        " s, taken in rotation: requests/s is the mean over the turns, p50 and p99 the median.",
    ]
    lines.append("")
    for run in runs:
        errors = sum(result.errors for result in run.results.values())
        rss = ", ".join(f"{size:.0f}" for size in run.worker_rss_mb)
        lines.append(
            f"- {run.label}: load average {fmt_load(run.load_before)} before, "
            f"{fmt_load(run.load_after)} after; worker RSS after the run {rss} MB"
            + (f"; {errors} failed requests" if errors else "")
            + "."
        )
    lines += ["", "Targets:", ""]
    lines += [f"- {line}" for line in check_targets(seeding, pages, warm, cold)]
    lines += ["", "Pages: " + ", ".join(f"{name} `{path}`" for name, path in pages.items()), ""]
    return "\n".join(lines)


def fmt_load(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.1f}" for value in load)


def check_targets(seeding, pages, warm: Run, cold: Run) -> list[str]:
    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    lines = []
    for name in ("story", "home", "region"):
        share = warm.results[name].requests_per_second / warm.floor
        lines.append(
            f"cache-warm {name} at {share:.0%} of the floor (≥ {WARM_SHARE:.0%}): "
            f"{verdict(share >= WARM_SHARE)}"
        )
    story = cold.results["story"]
    share = story.requests_per_second / cold.floor
    lines.append(
        f"cache-disabled story at {share:.0%} of the floor (≥ {COLD_STORY_SHARE:.0%}): "
        f"{verdict(share >= COLD_STORY_SHARE)}"
    )
    lines.append(
        f"cache-disabled story p99 {story.p99_ms:.1f} ms (< {COLD_STORY_P99_MS} ms): "
        f"{verdict(story.p99_ms < COLD_STORY_P99_MS)}"
    )
    home = cold.results["home"]
    lines.append(
        f"cache-disabled home p99 {home.p99_ms:.1f} ms (< {COLD_HOME_P99_MS} ms): "
        f"{verdict(home.p99_ms < COLD_HOME_P99_MS)}"
    )
    deep_name = next(name for name in pages if name.startswith("region p"))
    first, deep = cold.results["region"], cold.results[deep_name]
    factor = deep.p50_ms / first.p50_ms
    lines.append(
        f"cache-disabled {deep_name} p50 {deep.p50_ms:.1f} ms = {factor:.2f} × page 1 "
        f"(p99 {deep.p99_ms:.1f} against {first.p99_ms:.1f} ms; ≤ {DEEP_PAGE_FACTOR:.0f} ×): "
        f"{verdict(factor <= DEEP_PAGE_FACTOR)}"
    )
    if seeding:
        lines.append(
            f"seeding {seeding['seed_demo']:.0f} s (< {SEED_SECONDS} s): "
            f"{verdict(seeding['seed_demo'] < SEED_SECONDS)}"
        )
    else:
        lines.append("seeding: not run (--reuse)")
    largest = max(warm.worker_rss_mb + cold.worker_rss_mb, default=0)
    lines.append(
        f"largest worker {largest:.0f} MB resident (< {WORKER_RSS_MB} MB): "
        f"{verdict(largest < WORKER_RSS_MB)}"
    )
    return lines


if __name__ == "__main__":
    sys.exit(main())
