"""Counting story reads in the shared cache, and moving the counts to the database.

One read (:func:`count_read`, from the beacon ``readership.views.read``) costs a few Redis
commands and no database write:

1. A known robot is not counted: an empty user agent, or one that matches the patterns of
   crawler-user-agents (a maintained list of bots, crawlers and scrapers).
2. One reader's reloads count once a day: the read leaves a *seen marker*, a key named by
   HMAC-SHA256, under the day's salt, of the client's network (its IPv4 address, or the /64
   of its IPv6 address), its user agent and the story. The salt is random, made by the day's
   first read and kept in the cache alone, away from every count; it and every marker made
   with it expire at midnight UTC. Neither the address nor the user agent is stored anywhere,
   and once the salt is gone no one, us included, can tell whose read a marker was.
3. One network counts at most ``NEWSROOM_READS_PER_NETWORK_STORY`` reads of a story a day, and
   ``NEWSROOM_READS_PER_NETWORK`` in all: a client that changes its user agent at every
   request (anyone can) would otherwise push any story to the top of "Most read" alone, or
   fill the cache with counters of made-up ids. The budgets are counters named like the
   markers (keyed hashes under the day's salt, gone at midnight UTC). They are generous, as
   many readers may share one address (an office, a mobile carrier's NAT).
4. The story's counter for the hour goes up by one (INCR). The hour's first read of a story
   also notes the story in the hour's list (once), so that the flush finds every counter
   without scanning the keyspace.

:func:`flush_counts` (the worker, every ``NEWSROOM_READS_FLUSH_SECONDS``) moves the counts
into :class:`~readership.models.StoryReads` in bulk: it takes each counter's value off the
counter (DECRBY, so that reads arriving meanwhile stay), adds it to the hour's row in one
upsert, and deletes the keys of hours that are over. A count is moved at most once: a flush
cut off half-way loses what it had taken, it never counts it twice.

While Redis is away nothing is counted and nothing else happens (``serving.cache``: ``add``
answers False, ``incr`` raises ValueError): the beacon still answers 204, pages are served.
Without Redis (``make run``), the counters live in each process's local-memory cache, and
that process moves its own (``NEWSROOM_READS_FLUSHED_BY_WEB``, ``readership.views``).
"""

import hashlib
import hmac
import math
import secrets
from collections import Counter
from datetime import UTC, datetime, timedelta

from crawleruseragents import is_crawler
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone

from articles.models import Article
from readership.models import StoryReads
from serving.clients import client_network

# Counters the worker has not moved after this many hours are given up (they expire): the
# worker was stopped for two days. Bounds what an outage of the worker leaves in Redis.
KEEP_HOURS = 48
KEEP_SECONDS = (KEEP_HOURS + 1) * 3600
# A flush that takes longer than this is taken for dead, and the next one may start.
FLUSH_LOCK_SECONDS = 300
FLUSH_LOCK_KEY = "readership:flush-lock"
# The longest user agent read: enough for any browser's, and a bound on what is hashed.
USER_AGENT_LENGTH = 512
# The largest story id there can be (a bigint); anything above is not a story.
LARGEST_ID = 2**63 - 1
FLUSH_BATCH = 1000


def is_robot(user_agent: str) -> bool:
    """Return whether *user_agent* is a known robot's, or missing (no browser sends none)."""
    return not user_agent.strip() or is_crawler(user_agent)


def hour_number(moment: datetime) -> int:
    """Return the number of the UTC hour holding *moment* (hours since the epoch)."""
    return int(moment.timestamp() // 3600)


def hour_start(number: int) -> datetime:
    return datetime.fromtimestamp(number * 3600, tz=UTC)


def seconds_to_midnight(moment: datetime) -> int:
    """Return how long the day's salt and seen markers live: until midnight UTC."""
    moment = moment.astimezone(UTC)
    midnight = datetime.combine(moment.date() + timedelta(days=1), datetime.min.time(), UTC)
    return max(1, math.ceil((midnight - moment).total_seconds()))


def count_key(hour: int, story_id: int) -> str:
    return f"readership:reads:{hour}:{story_id}"


def noted_count_key(hour: int) -> str:
    return f"readership:stories:{hour}"


def noted_story_key(hour: int, slot: int) -> str:
    return f"readership:stories:{hour}:{slot}"


def noted_marker_key(hour: int, story_id: int) -> str:
    return f"readership:noted:{hour}:{story_id}"


def day_salt(now: datetime) -> str | None:
    """Return the salt of *now*'s day (UTC), made by whoever asks first; None without a cache."""
    key = f"readership:salt:{now.astimezone(UTC):%Y%m%d}"
    salt = cache.get(key)
    if salt is None:
        cache.add(key, secrets.token_hex(32), timeout=seconds_to_midnight(now))
        salt = cache.get(key)
    return salt


def seen_key(salt: str, network: str, user_agent: str, story_id: int) -> str:
    reader = f"{network}\n{user_agent}\n{story_id}".encode("utf-8", "surrogateescape")
    digest = hmac.new(salt.encode(), reader, hashlib.sha256).hexdigest()
    return f"readership:seen:{digest[:32]}"


def count_read(
    story_id: int, *, address: str, user_agent: str, now: datetime | None = None
) -> bool:
    """Count one read of story *story_id* by the client at *address*; return whether it counted.

    Not counted: robots, a reader who read the story earlier the same day (UTC), an id that
    cannot be a story's, and every read while the shared cache is unavailable.
    """
    if not 0 < story_id <= LARGEST_ID or is_robot(user_agent):
        return False
    now = now or timezone.now()
    salt = day_salt(now)
    if salt is None:
        return False
    network = client_network(address)
    marker = seen_key(salt, network, user_agent[:USER_AGENT_LENGTH], story_id)
    if not cache.add(marker, 1, timeout=seconds_to_midnight(now)):
        return False
    budgets = (
        (budget_key(salt, network, story_id), settings.NEWSROOM_READS_PER_NETWORK_STORY),
        (budget_key(salt, network), settings.NEWSROOM_READS_PER_NETWORK),
    )
    for key, allowed in budgets:
        if not within_budget(key, allowed, now):
            return False
    return add_reads(hour_number(now), story_id, 1)


def budget_key(salt: str, network: str, story_id: int | None = None) -> str:
    """Name the day's count of reads from *network* (of one story, or of any)."""
    spender = f"{network}\n{'' if story_id is None else story_id}".encode(
        "utf-8", "surrogateescape"
    )
    digest = hmac.new(salt.encode(), spender, hashlib.sha256).hexdigest()
    return f"readership:budget:{digest[:32]}"


def within_budget(key: str, allowed: int, now: datetime) -> bool:
    """Spend one read of the budget *key*; return whether it had one left."""
    cache.add(key, 0, timeout=seconds_to_midnight(now))
    try:
        return cache.incr(key) <= allowed
    except ValueError:
        return False  # The cache went away in between: nothing is counted then anyway.


def add_reads(hour: int, story_id: int, amount: int) -> bool:
    """Add *amount* reads to the counter of *story_id* in *hour*; return whether it took them."""
    key = count_key(hour, story_id)
    cache.add(key, 0, timeout=KEEP_SECONDS)
    try:
        value = cache.incr(key, amount)
    except ValueError:
        return False  # The cache is unavailable (or the key expired in between): lost.
    if value == amount:
        # The counter was empty: new this hour (then note it), or emptied by a flush.
        note_story(hour, story_id)
    return True


def note_story(hour: int, story_id: int) -> None:
    """Add *story_id* to the list of stories read in *hour*, unless it is in it already."""
    if not cache.add(noted_marker_key(hour, story_id), 1, timeout=KEEP_SECONDS):
        return
    counter = noted_count_key(hour)
    cache.add(counter, 0, timeout=KEEP_SECONDS)
    try:
        slot = cache.incr(counter)
    except ValueError:
        return
    cache.set(noted_story_key(hour, slot), story_id, timeout=KEEP_SECONDS)


def flush_counts(now: datetime | None = None) -> int | None:
    """Move the counts from the shared cache into ``StoryReads``; return how many reads moved.

    None when it did not run: another flush is running, or the cache is unavailable (and so
    holds nothing to move).
    """
    now = now or timezone.now()
    if not cache.add(FLUSH_LOCK_KEY, 1, timeout=FLUSH_LOCK_SECONDS):
        return None
    try:
        taken = take_counts(hour_number(now))
        if taken:
            try:
                store_counts(taken)
            except DatabaseError:
                # Put them back for the next flush rather than lose a whole minute of reads.
                for (hour, story_id), amount in taken.items():
                    add_reads(hour, story_id, amount)
                raise
        return sum(taken.values())
    finally:
        cache.delete(FLUSH_LOCK_KEY)


def take_counts(current: int) -> Counter:
    """Take every counter's value off it; return ``{(hour, story id): reads}``.

    Counters of the current hour are decremented by what was read (reads keep arriving);
    those of hours that are over are deleted with the hour's list of stories. Three bulk
    reads of the cache, one DECRBY per story read this hour, and one bulk delete.
    """
    hours = range(current - KEEP_HOURS, current + 1)
    sizes = cache.get_many([noted_count_key(hour) for hour in hours])
    slots = {
        noted_story_key(hour, slot): hour
        for hour in hours
        for slot in range(1, int(sizes.get(noted_count_key(hour), 0)) + 1)
    }
    noted = cache.get_many(list(slots))
    counters = {count_key(slots[key], story): (slots[key], story) for key, story in noted.items()}
    values = cache.get_many(list(counters))
    taken = Counter()
    for key, (hour, story_id) in counters.items():
        value = int(values.get(key) or 0)
        if value <= 0:
            continue
        if hour == current:
            try:
                cache.decr(key, value)
            except ValueError:
                continue
        taken[(hour, story_id)] += value
    cache.delete_many(
        [
            *(noted_count_key(hour) for hour in hours if hour < current),
            *(key for key, hour in slots.items() if hour < current),
            *(key for key, (hour, _story) in counters.items() if hour < current),
            *(noted_marker_key(hour, story) for hour, story in counters.values() if hour < current),
        ]
    )
    return taken


def store_counts(taken: Counter) -> None:
    """Add *taken* reads to their hours' rows: three queries, whatever their number.

    Only public stories' reads are kept: ids that are no story's (deleted since, or sent by
    someone guessing) and stories the public cannot read (a draft, a scheduled story whose
    id was guessed) are dropped, so that no story goes live with reads it never had.
    """
    story_ids = {story_id for _hour, story_id in taken}
    known = set(Article.objects.published().filter(pk__in=story_ids).values_list("pk", flat=True))
    wanted = {
        (story_id, hour_start(hour)): amount
        for (hour, story_id), amount in taken.items()
        if story_id in known
    }
    if not wanted:
        return
    with transaction.atomic():
        stored = StoryReads.objects.filter(
            story_id__in={story_id for story_id, _hour in wanted},
            hour__in={hour for _story_id, hour in wanted},
        ).values_list("story_id", "hour", "count")
        totals = Counter(wanted)
        for story_id, hour, count in stored:
            if (story_id, hour) in totals:
                totals[(story_id, hour)] += count
        StoryReads.objects.bulk_create(
            [
                StoryReads(story_id=story_id, hour=hour, count=count)
                for (story_id, hour), count in totals.items()
            ],
            update_conflicts=True,
            unique_fields=["story", "hour"],
            update_fields=["count"],
            batch_size=FLUSH_BATCH,
        )
