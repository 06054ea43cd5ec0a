"""Redis away: reads are lost, pages are not. The beacon still answers 204 at once."""

import time
import uuid

import pytest
from django.core.cache import cache

from readership.counting import flush_counts
from readership.models import StoryReads
from readership.tasks import flush_reads
from serving.cache import reset_health

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every connection is refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


def use_redis(settings, url: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "serving.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"readership-outage-{uuid.uuid4().hex[:8]}",
        }
    }
    reset_health()


@pytest.fixture
def redis_down(settings):
    use_redis(settings, DEAD_REDIS)
    yield
    reset_health()


def test_while_redis_is_down_reads_answer_204_and_pages_are_served(
    client, read, redis_down, published_article
):
    assert read(published_article).status_code == 204
    assert client.get(published_article.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200
    assert flush_reads.call() == 0
    assert not StoryReads.objects.exists()


def test_a_redis_that_stops_answering_costs_a_read_a_short_wait(
    client, read, settings, own_redis, published_article
):
    use_redis(settings, own_redis.url)
    read(published_article, ip="198.51.100.1")
    own_redis.pause()
    try:
        started = time.monotonic()
        response = read(published_article, ip="198.51.100.2")
        waited = time.monotonic() - started
        page = client.get(published_article.get_absolute_url())
    finally:
        own_redis.resume()

    assert response.status_code == 204
    assert waited < 2
    assert page.status_code == 200
    # Once Redis answers again (the backend tries again after retry_after), counting goes on.
    time.sleep(cache.retry_after + 0.1)
    read(published_article, ip="198.51.100.3")
    assert flush_counts() is not None
    assert StoryReads.objects.get(story=published_article).count >= 1
    cache.clear()
    reset_health()
