"""A Redis cache backend that never takes a page down with it.

``ResilientRedisCache`` is Django's own ``RedisCache`` with one difference: when Redis cannot be
reached (refused, timed out, out of memory, read-only after a failover, …) no exception reaches
the caller. Pages are then rendered uncached, reviews are still accepted, and the site recovers
by itself when Redis answers again.

The contract while Redis is unavailable, which callers may rely on:

* ``get``, ``get_many``, ``has_key``, ``get_or_set``: a miss (``default``, ``{}``, ``False``;
  ``get_or_set`` computes the value and returns it without storing it).
* ``set``, ``delete``, ``delete_many``, ``touch``, ``clear``: dropped. ``delete`` and ``touch``
  return ``False``; ``set_many`` returns every key it was given, as "not stored".
* ``add``: ``False`` (nothing was stored).
* ``incr`` and ``decr``: raise ``ValueError``, exactly as for a key that does not exist. Code
  counting with ``cache.add(key, 1)`` followed by ``cache.incr(key)`` must handle that
  ``ValueError`` anyway (the key can expire between the two calls); treating it as "first
  hit" makes a rate limit fail open while Redis is away instead of refusing everyone.

Cost of an outage: sockets time out after a quarter of a second, and after a failure the backend
does not try Redis again for ``retry_after`` seconds (default 2), so a dead or unreachable
server costs each process at most one short timeout every couple of seconds.

Logging: the first failure is logged as an error, then at most one reminder a minute while
Redis stays away, and one line when it is back: never one line per request.

Correctness after an outage: a write that was dropped may have been an invalidation (a delete,
or a new page-cache generation), so entries written before the outage could now be wrong. When
Redis answers again after this process dropped a write, the backend first deletes the keys
under its ``KEY_PREFIX`` and then carries on. ``clear()`` likewise deletes only the keys under
the prefix when one is set, so several sites can share one Redis database.
"""

import logging
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger("newsroom.cache")

# Short enough that a page touching the cache a few times stays fast while Redis hangs, long
# enough for a loaded Redis on the same network to answer.
DEFAULT_SOCKET_TIMEOUT = 0.25
DEFAULT_RETRY_AFTER = 2.0
REMINDER_INTERVAL = 60.0
PURGE_BATCH = 500


@dataclass
class RedisHealth:
    """What one process knows about one Redis server; shared by all threads of the process.

    Django gives every thread its own cache object, so this lives in a module-level registry
    keyed by server and prefix: otherwise each thread would log the same outage again.
    """

    down_until: float = 0.0
    failing_since: float | None = None
    last_logged: float = 0.0
    dropped_writes: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)


_health: dict[tuple[str, str], RedisHealth] = {}
_health_lock = threading.Lock()


def health_for(location: str, key_prefix: str) -> RedisHealth:
    """Return the shared health record of a server and prefix, creating it on first use."""
    key = (location, key_prefix)
    with _health_lock:
        return _health.setdefault(key, RedisHealth())


def reset_health() -> None:
    """Forget every recorded outage (for tests)."""
    with _health_lock:
        _health.clear()


def redact(url: str) -> str:
    """Return a Redis URL fit for a log line: the password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def glob_escape(text: str) -> str:
    """Escape the characters Redis's MATCH patterns treat specially."""
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)


class ResilientRedisCache(RedisCache):
    """Django's Redis cache that degrades to "always a miss" while Redis is unreachable.

    Extra ``OPTIONS`` (the rest go to redis-py as usual): ``retry_after`` seconds between
    attempts once Redis failed (default 2). Socket timeouts default to 0.25 s and redis-py's own
    retries to one immediate retry, both overridable in ``OPTIONS``.
    """

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("retry_after", DEFAULT_RETRY_AFTER))
        options.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        if "retry" not in options:
            # One immediate retry covers a pooled connection the server closed meanwhile;
            # redis-py's default backs off for seconds, which is what we must avoid here.
            options["retry"] = Retry(NoBackoff(), 1)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self.unavailable_errors = (RedisError, OSError)
        self.location = ",".join(redact(url) for url in self._servers)
        self.health = health_for(self.location, self.key_prefix)

    # The guarded call ----------------------------------------------------------------------

    def _attempt(self, fallback, operation, *args, write=False):
        """Run ``operation`` against Redis, or return ``fallback()`` if Redis is unavailable."""
        health = self.health
        if health.down_until and time.monotonic() < health.down_until:
            if write:
                health.dropped_writes = True
            return fallback()
        try:
            if health.dropped_writes:
                self._purge_after_outage()
            result = operation(*args)
        except self.unavailable_errors as error:
            self._record_failure(error, write)
            return fallback()
        if health.failing_since is not None:
            self._record_recovery()
        return result

    def _record_failure(self, error, write):
        health = self.health
        now = time.monotonic()
        with health.lock:
            health.down_until = now + self.retry_after
            if write:
                health.dropped_writes = True
            if health.failing_since is None:
                health.failing_since = now
                health.last_logged = now
                logger.error(
                    "Redis cache at %s is unavailable (%s: %s); serving uncached pages until "
                    "it answers again.",
                    self.location,
                    type(error).__name__,
                    error,
                )
            elif now - health.last_logged >= REMINDER_INTERVAL:
                health.last_logged = now
                logger.error(
                    "Redis cache at %s is still unavailable after %.0f s (%s: %s).",
                    self.location,
                    now - health.failing_since,
                    type(error).__name__,
                    error,
                )

    def _record_recovery(self):
        health = self.health
        with health.lock:
            if health.failing_since is None:
                return
            outage = time.monotonic() - health.failing_since
            health.failing_since = None
            health.down_until = 0.0
        logger.warning("Redis cache at %s answers again after %.0f s.", self.location, outage)

    def _purge_after_outage(self):
        """Delete this site's keys: a dropped invalidation may have left stale entries."""
        health = self.health
        with health.lock:
            if not health.dropped_writes:
                return
            deleted = self._delete_prefixed_keys()
            health.dropped_writes = False
        self._record_recovery()
        logger.warning(
            "Redis cache at %s: deleted %s entries written before writes were dropped, so no "
            "stale page survives the outage.",
            self.location,
            "all" if deleted is None else deleted,
        )

    def _delete_prefixed_keys(self) -> int | None:
        """Delete the keys under this cache's prefix; return how many, or None if all."""
        client = self._cache.get_client(None, write=True)
        if not self.key_prefix:
            client.flushdb()
            return None
        deleted = 0
        batch = []
        for key in client.scan_iter(match=glob_escape(self.key_prefix) + ":*", count=1000):
            batch.append(key)
            if len(batch) >= PURGE_BATCH:
                deleted += client.delete(*batch)
                batch = []
        if batch:
            deleted += client.delete(*batch)
        return deleted

    # Django's cache API --------------------------------------------------------------------

    def validate_key(self, key):
        # Django's base backend warns about keys memcached could not store; Redis stores any
        # key, and the check costs every page served from the cache a few microseconds a key.
        pass

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: False, super().add, key, value, timeout, version, write=True)

    def get(self, key, default=None, version=None):
        return self._attempt(lambda: default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._attempt(lambda: None, super().set, key, value, timeout, version, write=True)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: False, super().touch, key, timeout, version, write=True)

    def delete(self, key, version=None):
        return self._attempt(lambda: False, super().delete, key, version, write=True)

    def get_many(self, keys, version=None):
        return self._attempt(dict, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._attempt(lambda: False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found: the cache is unavailable.")

        return self._attempt(missing, super().incr, key, delta, version, write=True)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(
            lambda: list(data), super().set_many, data, timeout, version, write=True
        )

    def delete_many(self, keys, version=None):
        self._attempt(lambda: None, super().delete_many, keys, version, write=True)

    def clear(self):
        return self._attempt(lambda: False, self._clear, write=True)

    def _clear(self):
        self._delete_prefixed_keys()
        return True
