"""What is kept about readers: a number per story and hour, and markers no one can read back.

Checked in a real Redis (a redis-server of the test's own), key by key and value by value.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection

from readership import counting
from readership.models import StoryReads
from serving.cache import reset_health
from tests.readership.conftest import stored_reads

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.219"
ADDRESS_V6 = "2001:db8:77:99::5"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 Quill/4.2"


@pytest.fixture
def redis_cache(settings, own_redis):
    """The site's cache in a Redis of the test's own, under a prefix of its own."""
    prefix = f"readership-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "serving.cache.ResilientRedisCache",
            "LOCATION": own_redis.url,
            "KEY_PREFIX": prefix,
        }
    }
    reset_health()
    yield own_redis.client(), prefix
    cache.clear()
    reset_health()


def stored_in(client, prefix) -> dict[bytes, tuple[bytes | None, int]]:
    """Return every key under *prefix*: its value and its time to live in seconds."""
    return {
        key: (client.get(key), client.ttl(key)) for key in client.scan_iter(match=f"{prefix}:*")
    }


def personal_data() -> list[bytes]:
    """What would identify the reader, in every form it could be written."""
    return [
        part.encode()
        for part in (
            ADDRESS,
            ADDRESS_V6,
            "2001:db8:77:99::/64",
            "2001:db8:77:99:",
            USER_AGENT,
            "Firefox",
            "Quill",
        )
    ]


def test_redis_holds_no_address_and_no_user_agent(read, redis_cache, published_article):
    client, prefix = redis_cache

    read(published_article, ip=ADDRESS, user_agent=USER_AGENT)
    read(published_article, ip=ADDRESS_V6, user_agent=USER_AGENT)
    stored = stored_in(client, prefix)

    assert any(b":readership:seen:" in key for key in stored)
    assert any(b":readership:reads:" in key for key in stored)
    for key, (value, _ttl) in stored.items():
        for data in personal_data():
            assert data not in key
            assert value is None or data not in value


def test_seen_markers_and_the_salt_are_gone_by_midnight(read, redis_cache, published_article):
    client, prefix = redis_cache

    read(published_article, ip=ADDRESS, user_agent=USER_AGENT)
    kept = {
        key: ttl
        for key, (_value, ttl) in stored_in(client, prefix).items()
        if b":readership:seen:" in key or b":readership:salt:" in key
    }

    assert len(kept) == 2
    assert all(0 < ttl <= 24 * 3600 for ttl in kept.values())


def test_the_counts_table_holds_a_story_an_hour_and_a_number(read, published_article):
    read(published_article, ip=ADDRESS, user_agent=USER_AGENT)
    stored_reads(published_article)

    columns = [field.column for field in StoryReads._meta.get_fields() if field.concrete]
    assert sorted(columns) == ["count", "hour", "id", "story_id"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {StoryReads._meta.db_table}")
        rows = cursor.fetchall()
    assert len(rows) == 1
    text = repr(rows).encode()
    for data in personal_data():
        assert data not in text


def test_a_markers_name_changes_with_the_days_salt():
    monday = datetime(2026, 3, 2, 23, 59, tzinfo=UTC)
    tuesday = monday + timedelta(minutes=2)

    salts = {counting.day_salt(monday), counting.day_salt(tuesday)}

    assert len(salts) == 2
    assert counting.day_salt(monday) in salts
    # Same day, same salt: one reader's reloads meet their own marker.
    assert counting.day_salt(monday - timedelta(hours=20)) == counting.day_salt(monday)


def test_a_reader_is_counted_again_the_next_day(published_article):
    monday = datetime.now(UTC).replace(hour=10)
    tuesday = monday + timedelta(days=1)

    counted = [
        counting.count_read(
            published_article.pk, address=ADDRESS, user_agent=USER_AGENT, now=moment
        )
        for moment in (monday, monday + timedelta(hours=5), tuesday)
    ]

    assert counted == [True, False, True]
