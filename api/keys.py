"""Partner keys on the wire: issuing a token, and finding the key a request presents.

A token is ``nr_`` + an 8-character public prefix + ``_`` + 43 random URL-safe characters
(256 bits). It is looked up by its prefix and checked against the stored SHA-256 hash in
constant time; a plain hash is enough, since the token is random and long (a password would
need a slow one). A request presents it as ``Authorization: Bearer <token>``.

What a request reads the API as is decided once per request (:func:`access_of`): the rate
limit (``api.middleware``) and the operations ask the same question, and the key's use is
counted once.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from api.models import KEY_PREFIX, ApiKey

PREFIX_LENGTH = 8
PREFIX_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
SECRET_BYTES = 32
# Where the outcome is kept on the request, so that it is decided (and counted) once.
REQUEST_ATTRIBUTE = "_api_access"


class KeyRefused(Exception):
    """The request carries credentials that open nothing: answered 401, never the public view."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class Access:
    """Who a request reads the API as: the public (no key) or the partner holding *key*."""

    key: ApiKey | None = None

    @property
    def is_keyed(self) -> bool:
        return self.key is not None

    @property
    def embargo(self) -> bool:
        """Whether scheduled stories are shown too, each with its embargo time."""
        return self.key is not None and self.key.has_scope(ApiKey.Scope.EMBARGO)


PUBLIC = Access()


def new_token() -> tuple[str, str, str]:
    """Return a fresh token, its public prefix and the hash to store."""
    prefix = get_random_string(PREFIX_LENGTH, PREFIX_CHARACTERS)
    token = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return token, prefix, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def prefix_of(token: str) -> str | None:
    """Return the public prefix of *token*, or None if it is not shaped like one of ours."""
    if not token.startswith(KEY_PREFIX):
        return None
    rest = token[len(KEY_PREFIX) :]
    prefix, separator, secret = (
        rest[:PREFIX_LENGTH],
        rest[PREFIX_LENGTH : PREFIX_LENGTH + 1],
        rest[PREFIX_LENGTH + 1 :],
    )
    if len(prefix) != PREFIX_LENGTH or separator != "_" or not secret:
        return None
    if any(character not in PREFIX_CHARACTERS for character in prefix):
        return None
    return prefix


def access_of(request) -> Access:
    """Return what *request* reads the API as; raise :class:`KeyRefused` for a bad key.

    No ``Authorization`` header, or an empty or blank one: the public, as the page cache and
    nginx read it too. A header that does not carry a valid, unexpired, unrevoked key is
    refused, whatever it carries. Each accepted request is counted on its key (an UPDATE with
    ``F()``, so concurrent requests all count).
    """
    known = getattr(request, REQUEST_ATTRIBUTE, None)
    if known is None:
        try:
            known = _authenticate(request)
        except KeyRefused as refused:
            known = refused
        setattr(request, REQUEST_ATTRIBUTE, known)
    if isinstance(known, KeyRefused):
        raise known
    return known


def _authenticate(request) -> Access:
    header = request.META.get("HTTP_AUTHORIZATION", "").strip()
    if not header:
        return PUBLIC
    scheme, _space, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise KeyRefused(str(_("Send the API key as “Authorization: Bearer <key>”.")))
    prefix = prefix_of(token)
    key = ApiKey.objects.filter(prefix=prefix).first() if prefix else None
    if key is None or not hmac.compare_digest(key.key_hash, token_hash(token)):
        raise KeyRefused(str(_("This API key is not valid.")))
    now = timezone.now()
    if key.revoked_at is not None:
        raise KeyRefused(str(_("This API key has been revoked.")))
    if not key.is_active(now):
        raise KeyRefused(str(_("This API key has expired.")))
    ApiKey.objects.filter(pk=key.pk).update(use_count=F("use_count") + 1, last_used_at=now)
    return Access(key)
