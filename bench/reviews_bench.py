"""Measure the reviews app where volume could hurt: the story page and bulk moderation.

Usage (from the project root; PostgreSQL for figures that mean something)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h4bench .venv/bin/python bench/reviews_bench.py

It works on a throwaway database: Django's test-database machinery creates ``test_<name>``
next to the one named in DATABASE_URL (here ``test_h4bench``), migrates it, and drops it at
the end. Nothing in the named database itself is touched. Without DATABASE_URL it runs on a
throwaway SQLite database. Options: ``--reviews N`` (approved reviews on the big story,
default 1000), ``--pending N`` (reviews to approve in bulk, default 10000).

Prints:
1. the SQL queries a story page runs with 1 and with N approved reviews (they must be equal),
   and the page's render time with N. The page cache and every fragment cache are off (a
   dummy cache): the reviews block is otherwise kept per story, and these are the queries
   and the time of the render that fills it;
2. the time to approve the pending reviews through ``review_moderate()`` (what the admin
   action and the row buttons call: one UPDATE), and through the admin itself (the bulk
   action with "select all" on the pending filter), each on its own batch.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reviews", type=int, default=1000)
    parser.add_argument("--pending", type=int, default=10_000)
    options = parser.parse_args()

    import django

    django.setup()

    from django.conf import settings
    from django.db import connection
    from django.test import override_settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # No page cache, no rate limit in the way: we measure the database work.
    settings.PAGE_CACHE_SECONDS = 0
    uncached = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
        with override_settings(CACHES=uncached):
            story_page_queries(options.reviews)
        bulk_moderation(options.pending)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def make_story(slug: str):
    from datetime import timedelta

    from django.utils import timezone

    from articles.models import Article, Region, Rubric

    region, _created = Region.objects.get_or_create(name="Bench region", slug="bench-region")
    rubric, _created = Rubric.objects.get_or_create(name="Bench rubric", slug="bench-rubric")
    return Article.objects.create(
        title=f"Bench story {slug}",
        slug=slug,
        teaser="A story for the reviews benchmark.",
        body="<p>Body.</p>",
        region=region,
        rubric=rubric,
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(days=1),
    )


def add_reviews(article, count: int, status: str) -> None:
    from reviews.models import Review

    batch = [
        Review(
            article=article,
            name=f"Reader {number}",
            email=f"reader{number}@example.org",
            body=f"Review number {number} of the benchmark.\nWith a second line.",
            status=status,
            fingerprint=f"{number:064x}",
        )
        for number in range(count)
    ]
    Review.objects.bulk_create(batch, batch_size=2000)


def story_page_queries(big: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from reviews.models import Review

    client = Client()
    article = make_story("reviews-bench")
    add_reviews(article, 1, Review.Status.APPROVED)
    client.get(article.get_absolute_url())
    # Counted at once: the next request resets the connection's query log.
    with CaptureQueriesContext(connection) as captured:
        assert client.get(article.get_absolute_url()).status_code == 200
    one = len(captured)

    add_reviews(article, big - 1, Review.Status.APPROVED)
    add_reviews(article, big, Review.Status.PENDING)  # never shown, must cost nothing
    with CaptureQueriesContext(connection) as captured:
        response = client.get(article.get_absolute_url())
    many = len(captured)
    assert response.status_code == 200
    assert f"{big:,} reviews".replace(",", "") in response.content.decode().replace(",", "")

    timings = []
    for _run in range(20):
        started = time.perf_counter()
        client.get(article.get_absolute_url())
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print("1. story page")
    print(f"   queries with 1 approved review:      {one}")
    print(f"   queries with {big:,} approved reviews: {many}")
    print(
        f"   render time with {big:,} reviews (test client, 20 runs): "
        f"median {statistics.median(timings):.1f} ms, max {timings[-1]:.1f} ms"
    )


def bulk_moderation(count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from reviews.models import Review
    from reviews.services import review_moderate

    moderator = get_user_model().objects.create_superuser("bench-moderator", "m@example.org", "x")

    article = make_story("moderation-bench")
    add_reviews(article, count, Review.Status.PENDING)
    started = time.perf_counter()
    updated = review_moderate(
        reviews=Review.objects.pending().filter(article=article),
        status=Review.Status.APPROVED,
        by=moderator,
    )
    service_seconds = time.perf_counter() - started
    assert updated == count, updated

    other = make_story("moderation-bench-admin")
    add_reviews(other, count, Review.Status.PENDING)
    client = Client()
    client.force_login(moderator)
    one_id = Review.objects.pending().filter(article=other).values_list("pk", flat=True).first()
    started = time.perf_counter()
    response = client.post(
        reverse("admin:reviews_review_changelist") + f"?status__exact=pending&article={other.pk}",
        {"action": "approve", "select_across": "1", "index": "0", "_selected_action": [one_id]},
    )
    admin_seconds = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    approved = Review.objects.approved().filter(article=other).count()
    assert approved == count, approved

    print(f"2. approving {count:,} pending reviews in bulk")
    print(f"   review_moderate() (one UPDATE):            {service_seconds * 1000:.0f} ms")
    print(f"   admin action, select all on the filter:    {admin_seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
