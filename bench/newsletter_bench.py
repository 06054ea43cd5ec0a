"""Send one daily digest to 100,000 subscribers through a local SMTP sink; time it, weigh it.

Usage (from the project root; PostgreSQL on 127.0.0.1:5432, user ``postgres``)::

    .venv/bin/python bench/newsletter_bench.py
    .venv/bin/python bench/newsletter_bench.py --subscribers 20000 --batch-size 500

Steps:

1. (Re)create the database (default ``newsroom_newsletter_bench``; ``BENCH_DATABASE_URL`` or
   ``--database-url`` for another; a name without "bench" is refused), migrate, and load 30
   stories of the last day in four regions and three rubrics, and the confirmed daily
   subscribers: a third get everything, a third one or two regions, a third a rubric or an
   author (so digests differ, as they would).
2. Start an SMTP sink in a process of its own (aiosmtpd, this script with ``--sink``): it
   takes every message, counts it and throws it away.
3. Start the digest (``newsletters.sending.start``, as the periodic job does) and one
   ``manage.py worker`` with DEBUG off, sending through the sink at
   ``--rate`` emails a second (default 0: as fast as the sink takes them).
4. Wait until the send is done; print the time from start to the last email, emails a
   second, the worker's peak memory (``VmHWM``: its resident set at its largest), and what
   the sink received; write the same to ``bench/results/newsletter-<date>-<time>.txt``.

Targets (issue #17): under 10 minutes, under 200 MB.
"""

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
RESULTS = ROOT / "bench" / "results"
TARGET_SECONDS = 600
TARGET_MEGABYTES = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_newsletter_bench"
        ),
    )
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--rate", type=float, default=0, help="emails a second; 0: no limit")
    parser.add_argument("--sink", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--count-file", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.sink:
        run_sink(options.sink, Path(options.count_file))
        return
    run(options)


# -- The SMTP sink (a process of its own) ------------------------------------------------------


def run_sink(port: int, count_file: Path) -> None:
    """Take every message on *port*, count it, keep nothing; write the count on SIGTERM."""
    from aiosmtpd.controller import Controller

    class Counter:
        received = 0
        recipients = set()

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.received += 1
            self.recipients.update(envelope.rcpt_tos)
            return "250 OK"

    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()

    def stop(*_args):
        controller.stop()
        count_file.write_text(f"{counter.received} {len(counter.recipients)}\n")
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    count_file.write_text("ready\n")
    while True:
        time.sleep(3600)


# -- The run -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def step(text: str) -> None:
    print(f"· {text}", flush=True)


def recreate(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(database_url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to use {name!r}: the benchmark database's name must say bench.")
    server = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def seed(subscribers: int) -> None:
    """Load the stories and the subscribers (bulk inserts; this is not what is measured)."""
    from django.utils import timezone

    from articles.models import Article, Author, Region, Rubric
    from newsletters.models import Subscriber

    chance = random.Random(17)
    now = timezone.now()
    regions = [
        Region.objects.create(name=name, slug=name.lower().replace(" ", "-"), position=number)
        for number, name in enumerate(
            ("South Caucasus", "Central Asia", "Middle East", "Europe"), start=1
        )
    ]
    rubrics = [
        Rubric.objects.create(name=name, slug=name.lower())
        for name in ("Analysis", "Interview", "Report")
    ]
    authors = [Author.objects.create(name=f"Author {n}", slug=f"author-{n}") for n in range(5)]
    for number in range(30):
        story = Article.objects.create(
            title=f"Story {number} of the day: ports, pipelines and the price of a container",
            slug=f"story-{number}",
            teaser="Who gains when the cargo moves west, and who pays for the new roads. " * 2,
            body="<p>Text.</p>",
            region=regions[number % 4],
            rubric=rubrics[number % 3],
            status=Article.Status.PUBLISHED,
            publish_at=now - timedelta(minutes=30 * number + 5),
        )
        story.authors.set([authors[number % 5]])

    topics = ("regions", "rubrics", "authors")
    through = {name: getattr(Subscriber, name).through for name in topics}
    confirmed_at = now - timedelta(days=1)
    chunk = 5000
    for first in range(0, subscribers, chunk):
        rows = [
            Subscriber(
                email=f"reader{number:06}@example.org",
                status=Subscriber.Status.CONFIRMED,
                confirmed_at=confirmed_at,
                frequency=Subscriber.Frequency.DAILY,
                everything=number % 3 == 0,
            )
            for number in range(first, min(first + chunk, subscribers))
        ]
        created = Subscriber.objects.bulk_create(rows)
        links = {"regions": [], "rubrics": [], "authors": []}
        for subscriber in created:
            kind = int(subscriber.email[6:12]) % 3
            if kind == 1:
                for region in chance.sample(regions, k=chance.choice((1, 2))):
                    links["regions"].append(
                        through["regions"](subscriber_id=subscriber.pk, region_id=region.pk)
                    )
            elif kind == 2:
                if chance.random() < 0.5:
                    rubric = chance.choice(rubrics)
                    links["rubrics"].append(
                        through["rubrics"](subscriber_id=subscriber.pk, rubric_id=rubric.pk)
                    )
                else:
                    author = chance.choice(authors)
                    links["authors"].append(
                        through["authors"](subscriber_id=subscriber.pk, author_id=author.pk)
                    )
        for name, objects in links.items():
            through[name].objects.bulk_create(objects)


def peak_megabytes(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """Return the CPU time *pid* has used (user and system), whatever else ran beside it."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(options) -> None:
    started_at = datetime.now()
    env = {
        **os.environ,
        "DATABASE_URL": options.database_url,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    }
    os.environ.update(env)
    print(f"Newsletter benchmark, {started_at:%Y-%m-%d %H:%M}, {os.cpu_count()} cores")
    step(f"recreating {urlsplit(options.database_url).path.lstrip('/')} and migrating")
    recreate(options.database_url)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from newsletters import sending
    from newsletters.models import Send

    seeding = time.monotonic()
    seed(options.subscribers)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    step(f"loaded {options.subscribers:,} subscribers in {time.monotonic() - seeding:.0f} s")

    port = free_port()
    count_file = ROOT / "var" / "bench" / "newsletter-sink.txt"
    count_file.parent.mkdir(parents=True, exist_ok=True)
    count_file.unlink(missing_ok=True)
    sink = subprocess.Popen(
        [PYTHON, __file__, "--sink", str(port), "--count-file", str(count_file)], cwd=ROOT
    )
    while not count_file.exists():
        time.sleep(0.1)
    step(f"SMTP sink (aiosmtpd) listening on 127.0.0.1:{port}")

    now = timezone.now()
    send = sending.start(
        kind=Send.Kind.DAILY, edition=timezone.localdate(now), window=(now - timedelta(days=1), now)
    )
    worker_env = {
        **env,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "newsletter-bench-" + "x" * 40,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_PORT": str(port),
        "NEWSROOM_NEWSLETTER_BATCH_SIZE": str(options.batch_size),
        "NEWSROOM_NEWSLETTER_RATE": str(options.rate),
        # The bench's own edition is today's: the periodic job must not start another.
        "NEWSROOM_NEWSLETTER_SEND_AT": "23:59:59",
    }
    worker_log = ROOT / "var" / "bench" / "newsletter-worker.log"
    clock = time.monotonic()
    worker = subprocess.Popen(
        [PYTHON, "manage.py", "worker", "--worker-id", "bench"],
        cwd=ROOT,
        env=worker_env,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe: a pipe nobody reads fills up and stops the worker mid-write.
        stderr=worker_log.open("w"),
    )
    step(f"worker started (batches of {options.batch_size}, rate {options.rate or 'unlimited'})")
    peak = 0.0
    last_report = clock
    try:
        while True:
            send.refresh_from_db()
            if worker.poll() is not None:
                sys.exit("The worker stopped:\n" + worker_log.read_text()[-3000:])
            peak = max(peak, peak_megabytes(worker.pid))
            if send.status != Send.Status.SENDING:
                break
            if time.monotonic() - last_report > 15:
                last_report = time.monotonic()
                done = Send.objects.get(pk=send.pk)
                step(f"{time.monotonic() - clock:.0f} s: {done.handled:,} handled so far")
            time.sleep(0.5)
        seconds = time.monotonic() - clock
        peak = max(peak, peak_megabytes(worker.pid))
        worker_cpu = cpu_seconds(worker.pid)
        sink_cpu = cpu_seconds(sink.pid)
        load = os.getloadavg()[1]
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        sink.send_signal(signal.SIGTERM)
        sink.wait(timeout=30)
    received, distinct = (int(part) for part in count_file.read_text().split())

    send.refresh_from_db()
    emails = send.delivered
    lines = [
        f"Newsletter benchmark, {started_at:%Y-%m-%d %H:%M}, {os.cpu_count()} cores, "
        f"PostgreSQL, batches of {options.batch_size}, rate {options.rate or 'unlimited'}",
        f"subscribers            {send.recipients:,}",
        f"emails delivered       {emails:,} (failed {send.failed}, nothing to send "
        f"{send.skipped:,}, interrupted {send.unknown})",
        f"sink received          {received:,} messages for {distinct:,} addresses",
        f"time                   {seconds:.0f} s ({seconds / 60:.1f} min; target < "
        f"{TARGET_SECONDS // 60} min) {'met' if seconds < TARGET_SECONDS else 'MISSED'}",
        f"emails a second        {emails / seconds:.0f}",
        f"CPU time               worker {worker_cpu:.0f} s "
        f"({1000 * worker_cpu / max(1, emails):.1f} ms an email), SMTP sink {sink_cpu:.0f} s; "
        f"machine load {load:.1f} (5-min average)",
        f"worker peak memory     {peak:.0f} MB (VmHWM; target < {TARGET_MEGABYTES} MB) "
        f"{'met' if peak < TARGET_MEGABYTES else 'MISSED'}",
    ]
    print()
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    report = RESULTS / f"newsletter-{started_at:%Y%m%d-%H%M%S}.txt"
    report.write_text("\n".join(lines) + "\n")
    print(f"\nwritten to {report.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
