"""Send reads to a read replica and everything else to the primary database.

Active only when ``DATABASE_REPLICA_URL`` is set (the settings then define the ``replica``
alias and install this router and :class:`PrimaryDatabaseMiddleware`).

What goes to the primary (``default``):

* every write, and every migration;
* every read made while a request is pinned to the primary: requests to the admin, requests
  that change something (POST, PUT, PATCH, DELETE), and requests from someone holding a
  session (staff, a reader right after a form), so people see what they just saved rather
  than a replica that lags by a moment;
* reads inside a transaction on the primary, and reads of sessions and users (logging in must
  not depend on replication lag).

Anonymous readers browsing the site are served from the replica.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest

REPLICA_DB_ALIAS = "replica"
ADMIN_PREFIX = "/admin/"

# Apps whose reads must see the latest write: sessions and logins.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth"})

_pinned_to_primary: ContextVar[bool] = ContextVar("newsroom_pinned_to_primary", default=False)


def replica_configured() -> bool:
    """Return True if a read replica is configured (DATABASE_REPLICA_URL)."""
    return REPLICA_DB_ALIAS in connections.settings


@contextmanager
def use_primary():
    """Send every read inside the block to the primary database."""
    token = _pinned_to_primary.set(True)
    try:
        yield
    finally:
        _pinned_to_primary.reset(token)


def request_needs_primary(request: HttpRequest) -> bool:
    """Return True if this request must read from the primary database."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return True
    if request.path_info.startswith(ADMIN_PREFIX):
        return True
    return settings.SESSION_COOKIE_NAME in request.COOKIES


class PrimaryDatabaseMiddleware:
    """Pin admin, writing and logged-in requests to the primary database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request_needs_primary(request):
            return self.get_response(request)
        with use_primary():
            return self.get_response(request)


class PrimaryReplicaRouter:
    """Route reads to the replica and writes to the primary; see the module docstring."""

    def db_for_read(self, model, **hints):
        if not replica_configured():
            return None
        if _pinned_to_primary.get() or model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            # Reads that decide a write in the same transaction must see that transaction.
            return DEFAULT_DB_ALIAS
        return REPLICA_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data: objects read from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica receives its schema by replication, never by migrate.
        return db == DEFAULT_DB_ALIAS
