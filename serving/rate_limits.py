"""Fixed-window rate limits counted in the shared cache, for forms readers and staff send.

A window of *period* seconds, counted with ``add`` + ``incr`` (atomic in Redis, so every app
process and worker counts together). While the cache is unreachable nothing is refused —
losing a reader's review or locking someone out of their account would be worse than a few
extra requests — and the error is logged once per process and limit.
"""

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger("newsroom.serving")

_failure_logged: set[str] = set()


@dataclass
class RateLimit:
    allowed: bool
    retry_after: int = 0


def hit(key: str, *, limit: int, period: int, name: str, now: float | None = None) -> RateLimit:
    """Count one request under *key* and say whether it is within *limit* per *period*.

    *name* says what is limited, in the log line written when the cache is unreachable. A
    limit or period of 0 turns the limit off.
    """
    if not limit or not period:
        return RateLimit(True)
    now = time.time() if now is None else now
    window = int(now // period)
    window_key = f"{key}:{window}"
    try:
        cache.add(window_key, 0, timeout=period + 60)
        try:
            count = cache.incr(window_key)
        except ValueError:
            # Evicted between add and incr: start the count again.
            cache.set(window_key, 1, timeout=period + 60)
            count = 1
    except Exception:
        if name not in _failure_logged:
            logger.exception("%s skipped: the cache is unreachable.", name)
            _failure_logged.add(name)
        return RateLimit(True)
    _failure_logged.discard(name)
    if count > limit:
        return RateLimit(False, max(1, int((window + 1) * period - now)))
    return RateLimit(True)
