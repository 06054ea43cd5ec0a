"""Render one story page N times with the test client and print its time and Python calls.

Not a test. Point it at the benchmark database, page cache off, e.g.::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench DJANGO_DEBUG=0 \
    DJANGO_SECRET_KEY=x DJANGO_SECURE_SSL_REDIRECT=0 NEWSROOM_PAGE_CACHE_SECONDS=0 \
    .venv/bin/python bench/story_profile.py /articles/generated-1/ --n 200
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="/articles/generated-1/")
    parser.add_argument("--n", type=int, default=200, help="timed requests")
    parser.add_argument("--top", type=int, default=25, help="functions to list by own time")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    for _ in range(5):  # Warm the template cache and the connection.
        assert client.get(args.path).status_code == 200
    # Counted by a wrapper: the queries log is emptied as each request starts.
    queries = []
    with connection.execute_wrapper(lambda execute, *call: queries.append(1) or execute(*call)):
        client.get(args.path)
    times = []
    for _ in range(args.n):
        start = time.perf_counter()
        client.get(args.path)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    profile = cProfile.Profile()
    runs = 20
    profile.enable()
    for _ in range(runs):
        client.get(args.path)
    profile.disable()
    stats = pstats.Stats(profile)
    calls = stats.total_calls // runs
    print(
        f"{args.path}: {len(queries)} queries, mean {statistics.mean(times):.1f} ms, "
        f"median {statistics.median(times):.1f} ms, "
        f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, {calls} Python calls per request"
    )
    if args.top:
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
