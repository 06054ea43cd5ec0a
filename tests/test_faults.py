"""Failing parts: readers keep writing reviews while Redis is away, and nothing is lost.

The database-down page, the health check and the cache backend's own behaviour are tested in
tests/test_production.py, tests/test_healthz.py and tests/test_cache_backend.py; this file
follows a reader's review through an outage of the shared cache, end to end.
"""

import logging
import time

import pytest
from django.urls import reverse

from reviews.forms import sign_timestamp
from reviews.models import Review
from serving.cache import reset_health

# Nothing listens on port 1: every connection is refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    """Point the cache at a Redis that does not answer, as when REDIS_URL's server dies."""
    settings.CACHES = {
        "default": {
            "BACKEND": "serving.cache.ResilientRedisCache",
            "LOCATION": DEAD_REDIS,
            "KEY_PREFIX": "newsroom-faults",
        }
    }
    # Each test starts from a healthy backend, so that its own outage is the one logged.
    reset_health()
    yield settings
    reset_health()


def send_review(client, article, number: int, ip: str = "198.51.100.20"):
    return client.post(
        reverse("reviews:form", args=(article.slug,)),
        {
            "name": f"Reader {number}",
            "email": f"reader{number}@example.org",
            "body": f"Review number {number}, sent while the cache was down.",
            "website": "",
            "timestamp": sign_timestamp(article.pk, at=time.time() - 60),
        },
        REMOTE_ADDR=ip,
    )


class Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def newsroom_log():
    """Collect the site's own log ("newsroom" does not propagate to the root logger)."""
    collector = Collector()
    logger = logging.getLogger("newsroom")
    logger.addHandler(collector)
    yield collector
    logger.removeHandler(collector)


def test_reviews_are_accepted_and_stored_while_redis_is_down(
    newsroom_log, client, redis_down, published_article
):
    responses = [send_review(client, published_article, number) for number in range(8)]

    assert [response.status_code for response in responses] == [302] * 8
    # The reader is thanked on the story page, as always.
    page = client.get(responses[-1]["Location"])
    assert page.status_code == 200
    assert "your review will appear once a moderator approves it" in page.content.decode()
    assert Review.objects.filter(article=published_article).count() == 8
    assert set(Review.objects.values_list("status", flat=True)) == {Review.Status.PENDING}
    # The outage (first met when the story was saved) is logged once, not once per request.
    errors = [record for record in newsroom_log.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1, [record.getMessage() for record in errors]


def test_the_rate_limit_lets_reviews_through_rather_than_lose_them_while_redis_is_down(
    client, redis_down, published_article, settings
):
    settings.REVIEWS_RATE_LIMIT_COUNT = 2

    statuses = [send_review(client, published_article, n).status_code for n in range(5)]

    # With no shared counter the limit fails open: a lost review is worse than a few extra.
    assert statuses == [302] * 5
    assert Review.objects.count() == 5


def test_a_review_form_with_errors_keeps_everything_typed_while_redis_is_down(
    client, redis_down, published_article
):
    response = client.post(
        reverse("reviews:form", args=(published_article.slug,)),
        {
            "name": "Leyla",
            "email": "not-an-address",
            "body": "Kept, every word of it.",
            "timestamp": sign_timestamp(published_article.pk, at=time.time() - 60),
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Leyla" in html and "Kept, every word of it." in html and "not-an-address" in html
    assert not Review.objects.exists()
