"""The Redis cache backend: Redis going away never breaks a page, and nothing stale survives.

"Unreachable" is a closed port on loopback (127.0.0.1:1). Tests that need a live Redis use
one the test run starts for itself (tests/redis_server.py), each under a key prefix of its own.
"""

import logging
import re
import uuid
from pathlib import Path

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from serving import cache as cache_module
from serving.cache import ResilientRedisCache, redact

CLOSED_PORT_URL = "redis://127.0.0.1:1/0"


class FakeClock:
    """Stands in for time.monotonic so that the tests never sleep."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def clean_health():
    cache_module.reset_health()
    yield
    cache_module.reset_health()


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(cache_module.time, "monotonic", fake)
    return fake


@pytest.fixture
def cache_log(caplog, monkeypatch):
    """Capture newsroom.cache records (the newsroom logger does not propagate to the root)."""
    monkeypatch.setattr(logging.getLogger("newsroom"), "propagate", True)
    caplog.set_level(logging.INFO, logger="newsroom.cache")
    return caplog


def make_cache(location: str, **options) -> ResilientRedisCache:
    return ResilientRedisCache(
        location, {"KEY_PREFIX": f"newsroom-test-{uuid.uuid4().hex}", "OPTIONS": options}
    )


@pytest.fixture
def dead_cache() -> ResilientRedisCache:
    return make_cache(CLOSED_PORT_URL)


@pytest.fixture
def live_url(own_redis) -> str:
    return own_redis.url


@pytest.fixture
def live_cache(live_url):
    cache = make_cache(live_url)
    yield cache
    cache_module.reset_health()
    cache.clear()  # Only this test's prefix.


def cut_the_line(monkeypatch, cache: ResilientRedisCache) -> None:
    """Make every Redis command of ``cache`` fail as if the server had gone away."""

    def unreachable(*args, **kwargs):
        raise RedisConnectionError("Connection refused (simulated)")

    monkeypatch.setattr(cache._cache, "get_client", unreachable)


def test_reads_on_unreachable_redis_are_misses(dead_cache):
    assert dead_cache.get("story") is None
    assert dead_cache.get("story", "fallback") == "fallback"
    assert dead_cache.get_many(["story", "home"]) == {}
    assert dead_cache.has_key("story") is False
    assert dead_cache.get_or_set("story", lambda: "rendered") == "rendered"


def test_writes_on_unreachable_redis_are_dropped_without_raising(dead_cache):
    dead_cache.set("story", "page")
    dead_cache.delete_many(["story", "home"])

    assert dead_cache.add("story", "page") is False
    assert dead_cache.delete("story") is False
    assert dead_cache.touch("story") is False
    assert dead_cache.set_many({"story": 1, "home": 2}) == ["story", "home"]
    assert dead_cache.clear() is False


def test_counting_on_unreachable_redis_raises_value_error_like_a_missing_key(dead_cache):
    with pytest.raises(ValueError):
        dead_cache.incr("hits")
    with pytest.raises(ValueError):
        dead_cache.decr("hits")


def test_a_rate_limit_built_on_add_and_incr_fails_open_while_redis_is_away(dead_cache):
    """The pattern the review rate limit uses: add the counter, else increment it."""

    def hit(key: str) -> int:
        if dead_cache.add(key, 1, timeout=600):
            return 1
        try:
            return dead_cache.incr(key)
        except ValueError:
            return 1

    assert [hit("rate:reader") for _ in range(10)] == [1] * 10


def test_an_outage_is_logged_once_not_per_request(dead_cache, cache_log):
    for _ in range(50):
        dead_cache.get("story")
        dead_cache.set("story", "page")

    errors = [r for r in cache_log.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "127.0.0.1:1" in errors[0].getMessage()
    assert "unavailable" in errors[0].getMessage()


def test_a_long_outage_gets_one_reminder_a_minute(dead_cache, cache_log, clock):
    dead_cache.get("story")
    for _ in range(30):  # Thirty seconds of traffic: no new line.
        clock.advance(1)
        dead_cache.get("story")
    assert len(cache_log.records) == 1

    clock.advance(31)
    dead_cache.get("story")

    assert len(cache_log.records) == 2
    assert "still unavailable" in cache_log.records[1].getMessage()


def test_unreachable_redis_is_not_asked_again_until_the_retry_interval(dead_cache, clock):
    calls = []
    real_get_client = dead_cache._cache.get_client

    def counting_get_client(*args, **kwargs):
        calls.append(1)
        return real_get_client(*args, **kwargs)

    dead_cache._cache.get_client = counting_get_client

    dead_cache.get("story")
    for _ in range(20):
        dead_cache.get("story")
    assert len(calls) == 1

    clock.advance(dead_cache.retry_after + 0.1)
    dead_cache.get("story")

    assert len(calls) == 2


def test_sockets_time_out_quickly_and_do_not_back_off():
    cache = make_cache(CLOSED_PORT_URL)

    pool_options = cache._cache._pool_options

    assert pool_options["socket_connect_timeout"] == 0.25
    assert pool_options["socket_timeout"] == 0.25
    assert pool_options["retry"].get_retries() == 1


def test_passwords_stay_out_of_log_lines():
    assert redact("redis://:s3cret@cache.internal:6379/0") == "redis://:***@cache.internal:6379/0"
    assert redact("redis://app:s3cret@cache:6379/1") == "redis://app:***@cache:6379/1"
    assert redact("redis://cache:6379/1") == "redis://cache:6379/1"


def test_reader_pages_are_served_while_redis_is_down(
    client, settings, published_article, cache_log
):
    settings.CACHES = {
        "default": {
            "BACKEND": "serving.cache.ResilientRedisCache",
            "LOCATION": CLOSED_PORT_URL,
            "KEY_PREFIX": "newsroom-test-down",
        }
    }

    for _ in range(3):
        assert client.get("/").status_code == 200
        assert client.get(published_article.get_absolute_url()).status_code == 200
        # The health check writes and reads the cache on every call.
        assert client.get("/healthz").json()["cache"] == "unavailable"

    assert len([r for r in cache_log.records if r.levelno >= logging.ERROR]) == 1


def test_values_round_trip_through_a_live_redis(live_cache):
    live_cache.set("story", {"title": "The Almaty talks", "tags": ["diplomacy"]})
    live_cache.set_many({"home": "<html>", "region": "<html>"})

    assert live_cache.get("story") == {"title": "The Almaty talks", "tags": ["diplomacy"]}
    assert live_cache.get_many(["home", "region", "absent"]) == {
        "home": "<html>",
        "region": "<html>",
    }
    assert live_cache.add("hits", 1) is True
    assert live_cache.add("hits", 1) is False
    assert live_cache.incr("hits") == 2
    assert live_cache.delete("story") is True
    assert live_cache.get("story") is None
    with pytest.raises(ValueError):
        live_cache.incr("never-set")


def test_clear_removes_only_this_sites_keys(live_cache, live_url):
    neighbour = make_cache(live_url)
    try:
        neighbour.set("theirs", "kept")
        live_cache.set("ours", "gone")

        live_cache.clear()

        assert live_cache.get("ours") is None
        assert neighbour.get("theirs") == "kept"
    finally:
        neighbour.clear()


def test_cache_recovers_by_itself_when_redis_returns(live_cache, monkeypatch, clock, cache_log):
    live_cache.set("story", "page")
    cut_the_line(monkeypatch, live_cache)
    assert live_cache.get("story") is None

    monkeypatch.undo()  # Redis is back; the clock is still ours.
    monkeypatch.setattr(cache_module.time, "monotonic", clock)
    clock.advance(live_cache.retry_after + 0.1)

    assert live_cache.get("story") == "page"
    messages = [record.getMessage() for record in cache_log.records]
    assert any("answers again" in message for message in messages)


def test_no_stale_entry_survives_an_invalidation_dropped_during_an_outage(
    live_cache, live_url, monkeypatch, clock
):
    """A page deleted while Redis was away must not come back with Redis."""
    neighbour = make_cache(live_url)
    try:
        neighbour.set("theirs", "kept")
        live_cache.set("page:home", "old home page")
        cut_the_line(monkeypatch, live_cache)

        live_cache.delete("page:home")  # The story changed; this invalidation is dropped.

        monkeypatch.undo()
        monkeypatch.setattr(cache_module.time, "monotonic", clock)
        clock.advance(live_cache.retry_after + 0.1)

        assert live_cache.get("page:home") is None
        assert neighbour.get("theirs") == "kept"
    finally:
        neighbour.clear()


def test_no_test_names_a_database_of_a_developers_own_redis():
    # Tests reach Redis only through NEWSROOM_TEST_REDIS_URL (under a key prefix of the run's
    # own) or a redis-server they start themselves: never "/0" or "/9" of whatever listens
    # on this machine, which would read or wipe someone's data. (Port 1 is a closed port the
    # fault tests use: nothing answers there.)
    root = Path(__file__).resolve().parent.parent
    local_database = re.compile(r"redis://(?:127\.0\.0\.1|localhost)(?::6379)?/\d+")
    files = [*root.joinpath("tests").rglob("*.py"), root / ".ci" / "run", root / "Makefile"]
    offenders = [str(path) for path in files if local_database.search(path.read_text())]
    assert offenders == []
