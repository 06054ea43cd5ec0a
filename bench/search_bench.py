"""Search latency beside the plain story page, and feed/sitemap queries, at 100,000 stories.

Run against a PostgreSQL database of your own (it is migrated and, when it holds fewer
generated stories than asked, filled with ``seed_demo --articles``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/searchbench \\
        .venv/bin/python bench/search_bench.py --articles 100000 --rounds 20

Every request goes through the whole Django stack in this process (Django's test client:
middleware, view, template), uncached (a dummy cache backend), without query logging. Search
and story requests alternate in one loop, so both see the same machine. Prints p50/p95/p99
per kind and per search, the queries each search ran, and the query counts and times of the
feeds and sitemaps at this volume. Target: search p95 under 50 ms.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from taggit.models import Tag  # noqa: E402

from articles.models import Article, Region  # noqa: E402
from articles.search import run_search  # noqa: E402

SEARCHES = [
    ("rare word", {"q": "desalination"}),
    ("place", {"q": "Gyumri"}),
    ("place, stemmed", {"q": "Samarkand's"}),
    ("topic", {"q": "water sharing"}),
    ("phrase", {"q": '"rail freight"'}),
    ("two places", {"q": "Tbilisi Baku"}),
    ("stemmed words", {"q": "pensions reforms"}),
    ("exclusion", {"q": "solar -wind"}),
    ("common word", {"q": "plan"}),
    ("common pair", {"q": "critics timetable"}),
    ("region filter", {"q": "elections", "region": "central-asia"}),
    ("rubric filter", {"q": "ports", "rubric": "analysis"}),
    ("page 3", {"q": "housing costs", "page": "3"}),
    ("typo", {"q": "Tashkemt"}),
    ("no match", {"q": "zyxwvut"}),
    ("hostile", {"q": "<script>alert(1)</script> & | ! :* ('"}),
    (
        "200-char sentence",
        {
            "q": "What do the new rules on border crossings between Armenia and Georgia mean "
            "for the traders of Gyumri and the drivers who wait for days at the checkpoints "
            "every winter when the mountain roads close"
        },
    ),
    ("repeated words", {"q": "border crossings " * 15}),
]
UNCACHED = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(samples: list[float]) -> str:
    return (
        f"p50 {percentile(samples, 0.50):6.1f}  p95 {percentile(samples, 0.95):6.1f}  "
        f"p99 {percentile(samples, 0.99):6.1f}  mean {statistics.fmean(samples):6.1f}  "
        f"max {max(samples):6.1f} ms  (n={len(samples)})"
    )


def timed_get(client: Client, path: str, params: dict | None = None) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.get(path, params or {})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path} {params or ''} answered {response.status_code}")
    return elapsed, response


def prepare(articles: int) -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("Point DATABASE_URL at a PostgreSQL database of your own.")
    call_command("migrate", verbosity=0)
    have = Article.objects.filter(slug__startswith="generated-").count()
    if have < articles:
        print(f"Seeding {articles - have:,} stories (seed_demo --articles) ...", flush=True)
        started = time.perf_counter()
        call_command("seed_demo", articles=articles - have, no_images=True, verbosity=0)
        print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        # Planner statistics and the visibility map after a bulk load, as autovacuum would
        # leave them soon after.
        cursor.execute("VACUUM ANALYZE articles_article")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20, help="passes over the searches")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()

    prepare(options.articles)
    settings.DEBUG = False  # no query log kept in memory while timing
    published = Article.objects.published()
    print(f"Published stories: {published.count():,}")
    # Other work on the machine shows in every figure: say how busy it was.
    print("Load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    rng = random.Random(options.seed)
    slugs = list(published.order_by("?").values_list("slug", flat=True)[:200])
    stories = [f"/articles/{slug}/" for slug in slugs]
    client = Client()

    with override_settings(CACHES=UNCACHED):
        # Warm up: every search and a round of stories, so caches of the database are primed
        # alike for both kinds.
        for _, params in SEARCHES:
            timed_get(client, "/search/", params)
        for path in stories[:40]:
            timed_get(client, path)

        search_ms: list[float] = []
        story_ms: list[float] = []
        per_search: dict[str, list[float]] = {label: [] for label, _ in SEARCHES}
        for _ in range(options.rounds):
            order = list(SEARCHES)
            rng.shuffle(order)
            for label, params in order:
                elapsed, _response = timed_get(client, "/search/", params)
                search_ms.append(elapsed)
                per_search[label].append(elapsed)
                elapsed, _response = timed_get(client, rng.choice(stories))
                story_ms.append(elapsed)

        print("\nLatency through the whole Django stack (uncached):")
        print(f"  search      {summary(search_ms)}")
        print(f"  story page  {summary(story_ms)}")
        verdict = "met" if percentile(search_ms, 0.95) < 50 else "NOT met"
        print(f"  target search p95 < 50 ms: {verdict}")
        print("  load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

        print("\nPer search (p50 / max ms, how it was answered, queries):")
        for label, params in SEARCHES:
            with CaptureQueriesContext(connection) as queries:
                timed_get(client, "/search/", params)
            context = run_search(QueryDict(urlencode(params)))
            found = "many found" if context["total"] is None else f"{context['total']:,} found"
            print(
                f"  {label:15} {percentile(per_search[label], 0.5):6.1f} / "
                f"{max(per_search[label]):6.1f}  {context['search_mode']:6}  "
                f"{found:>18}  {len(queries)} queries"
            )

        region = Region.objects.order_by("position").first()
        tag = Tag.objects.order_by("name").first()
        machine_pages = [
            "/feed/",
            "/feed/atom/",
            f"/regions/{region.slug}/feed/",
            f"/tags/{tag.slug}/feed/atom/",
            "/sitemap.xml",
            "/sitemap-articles.xml",
            "/sitemap-articles.xml?p=2",
            "/sitemap-news.xml",
            "/sitemap-tags.xml",
            "/robots.txt",
        ]
        print("\nFeeds and sitemaps at this volume (one request each, after one warm-up):")
        for page in machine_pages:
            path, _, query = page.partition("?")
            params = dict([query.split("=")]) if query else None
            timed_get(client, path, params)
            with CaptureQueriesContext(connection) as queries:
                elapsed, response = timed_get(client, path, params)
            print(
                f"  {page:32} {len(queries):2} queries  {elapsed:7.1f} ms  "
                f"{len(response.content) / 1024:8.0f} KiB"
            )


if __name__ == "__main__":
    main()
