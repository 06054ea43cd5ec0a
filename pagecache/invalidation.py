"""Generations, the lease, clocks, and the invalidation API that apps call.

Apps say what changed by address, never by subject, so they need not know how the cache is
keyed::

    invalidate([story.get_absolute_url(), story.region.get_absolute_url(), "/"])
    invalidate_everything()  # the story may be linked from any page

Both write the database row first (in the caller's transaction), move the generations in the
shared cache at once, and again once the transaction commits; see the package docstring for
why that cannot lose an invalidation.
"""

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, router, transaction
from django.utils import timezone

from pagecache.keys import CLOCK_KEY, FRONT, LEASE_KEY, REFRESH_LOCK_KEY, SITE, generation_key
from pagecache.keys import subject_of as subject_of
from pagecache.models import PendingInvalidation
from serving.middleware import log_database_error

logger = logging.getLogger("newsroom.pagecache")

# A lease renewal slower than this does not renew: a writer that failed waits the lease plus
# this, and must be sure that no renewal begun before its change outlives that wait.
RENEWAL_BOUND = 1.0

Clock = Callable[[datetime, datetime], Iterable[str]]
_clocks: list[Clock] = []


@dataclass
class Generations:
    """The generations a page is cached under: the site's and its subject's.

    The front's generation, which only blocks shared by many pages need (when the page is
    rendered), is read when first asked for: a page served from the cache never needs it.
    """

    site: str
    subject: str
    subject_name: str = FRONT
    _front: str | None = None

    def stamp(self) -> tuple[str, str]:
        """Return what a stored page must carry to be served: its site and subject generation."""
        return self.site, self.subject

    @property
    def front(self) -> str:
        if self.subject_name == FRONT:
            return self.subject
        if self._front is None:
            found = _generations([FRONT])
            self._front = found[0] if found else new_generation()
        return self._front


# What a clock returns when every page changed by itself (a story that came down may be
# linked from any page).
EVERY_PAGE = "*"


def register_clock(clock: Clock) -> Clock:
    """Register *clock*: given (since, until), it returns the paths of pages that changed by
    themselves in that time, such as the lists a scheduled story joins at its moment, or
    ``EVERY_PAGE``."""
    if clock not in _clocks:
        _clocks.append(clock)
    return clock


def invalidate(paths: Iterable[str]) -> None:
    """Make the cached pages at *paths*, and every page under the same subjects, stale."""
    _invalidate({subject_of(path) for path in paths})


def invalidate_everything() -> None:
    """Make every cached page stale, e.g. when a story that may be linked anywhere goes."""
    _invalidate({SITE})


def new_generation() -> str:
    return uuid.uuid4().hex[:16]


def _bump(subjects: Iterable[str]) -> bool:
    """Give *subjects* new generations in the shared cache; return whether it took them all."""
    failed = cache.set_many(
        {generation_key(subject): new_generation() for subject in subjects}, timeout=None
    )
    return not failed


def _invalidate(subjects: set[str]) -> None:
    if not subjects:
        return
    using = router.db_for_write(PendingInvalidation)
    rows = PendingInvalidation.objects.using(using).bulk_create(
        [PendingInvalidation(subject=subject) for subject in sorted(subjects)]
    )
    if transaction.get_connection(using).in_atomic_block:
        # At once, so that this process (and anyone) stops serving the old pages now; again at
        # the commit, because until then another process could still read the old rows and
        # store them under the new generation.
        _bump(subjects)
    transaction.on_commit(partial(_confirm, subjects, [row.pk for row in rows], using), using)


def _confirm(subjects: set[str], pks: list[int], using: str) -> None:
    if _bump(subjects):
        PendingInvalidation.objects.using(using).filter(pk__in=pks).delete()
        return
    # The change is committed but the shared cache did not take it. Other processes may still
    # trust their lease; once it has run out they renew it from the database (which replays
    # this invalidation) or serve uncached. Answering only after that moment means no one is
    # ever shown the old page after this request said the change was made.
    wait = settings.PAGE_CACHE_LEASE_SECONDS + RENEWAL_BOUND
    logger.warning(
        "Page cache: the shared cache refused an invalidation of %s; it stays queued in the "
        "database, and this request waits %.0f s for every lease to run out.",
        ", ".join(sorted(subjects)),
        wait,
    )
    time.sleep(wait)


def current(subject: str = FRONT, extra_keys: tuple[str, ...] = ()) -> tuple | None:
    """Return ``(Generations, {key: value} of extra_keys)``, or None if pages can't be trusted.

    One round trip to the shared cache when the lease holds: the lease, the site's and the
    subject's generations and *extra_keys* (a stored page) together.
    """
    keys = [LEASE_KEY, generation_key(SITE), generation_key(subject)]
    values = cache.get_many([*keys, *extra_keys])
    lease = values.get(LEASE_KEY)
    if lease is None:
        if not renew_lease():
            return None
        values = cache.get_many([*keys, *extra_keys])
    elif time.time() > lease - settings.PAGE_CACHE_LEASE_SECONDS / 2:
        # Past its middle: one process renews it now, while it still holds for everyone, so
        # that under steady traffic it never runs out and no reader meets an uncached page.
        renew_lease()
    site, own = values.get(keys[1]), values.get(keys[2])
    if site is None or own is None:
        found = _generations([SITE, subject])
        if found is None:
            return None
        site, own = found
    extra = {key: values[key] for key in extra_keys if key in values}
    return Generations(site, own, subject), extra


def _generations(subjects: list[str]) -> list[str] | None:
    """Return the generations of *subjects*, starting one for any the cache has none for."""
    keys = [generation_key(subject) for subject in subjects]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, new_generation(), timeout=None)
    if len(found) < len(keys):
        found = cache.get_many(keys)
    values = [found.get(key) for key in keys]
    return None if None in values else values


def renew_lease() -> bool:
    """Replay pending invalidations and due clocks, then renew the lease; True if renewed.

    One process renews at a time; the others serve uncached for the few milliseconds it
    takes. False when the shared cache or the database cannot be used: pages are then not
    served from the cache at all.
    """
    if not cache.add(REFRESH_LOCK_KEY, 1, timeout=5):
        return False
    began = time.monotonic()
    try:
        using = router.db_for_write(PendingInvalidation)
        pending = list(PendingInvalidation.objects.using(using).values_list("pk", "subject"))
        subjects = {subject for _pk, subject in pending}
        now = timezone.now()
        checked = cache.get(CLOCK_KEY)
        if checked is not None:
            since = datetime.fromtimestamp(checked, tz=UTC)
        else:
            # Unknown (a new or emptied cache): far enough back to cover anything stored.
            kept = max(settings.PAGE_CACHE_SECONDS, settings.PAGE_FRAGMENT_SECONDS)
            since = now - timedelta(seconds=kept)
        for clock in _clocks:
            subjects.update(
                SITE if path == EVERY_PAGE else subject_of(path) for path in clock(since, now)
            )
        if subjects and not _bump(subjects):
            return False
        if pending:
            PendingInvalidation.objects.using(using).filter(
                pk__in=[pk for pk, _subject in pending]
            ).delete()
        if time.monotonic() - began > RENEWAL_BOUND:
            return False
        if cache.set_many({CLOCK_KEY: now.timestamp()}, timeout=None):
            return False
        # The cache's own expiry is what makes the lease end; the time written in it only
        # tells processes when to renew it early (their clocks may differ a little).
        seconds = settings.PAGE_CACHE_LEASE_SECONDS
        return not cache.set_many({LEASE_KEY: time.time() + seconds}, timeout=seconds)
    except DatabaseError as error:
        # Pages are then rendered, and answer the branded 503 while the database is away.
        log_database_error(error)
        return False
    finally:
        cache.delete(REFRESH_LOCK_KEY)
