"""Issuing and revoking partner keys: the admin calls these; each is written to the audit log."""

from django.db import transaction
from django.utils import timezone

from api.keys import new_token
from api.models import ApiKey
from audit import log


def _audit_details(key: ApiKey) -> dict:
    return {
        "model": key._meta.label_lower,
        "id": key.pk,
        "prefix": key.masked,
        "scopes": list(key.scopes or []),
        "expires_at": key.expires_at.isoformat() if key.expires_at else None,
    }


def api_key_create(*, key: ApiKey, by) -> str:
    """Store the new *key* (named and scoped, not saved yet) under a fresh token; return it.

    The token is returned once and kept nowhere: only its prefix and hash are stored.
    """
    token, prefix, digest = new_token()
    while ApiKey.objects.filter(prefix=prefix).exists():
        token, prefix, digest = new_token()
    key.prefix, key.key_hash = prefix, digest
    key.created_by = by if by is not None and by.is_authenticated else None
    with transaction.atomic():
        key.save()
        log.record(log.Action.API_KEY_CREATED, actor=by, obj=key, details=_audit_details(key))
    return token


def api_keys_revoke(*, queryset, by) -> int:
    """Revoke every key of *queryset* not revoked yet; return how many. Their next request
    answers 401."""
    now = timezone.now()
    with transaction.atomic():
        keys = list(queryset.filter(revoked_at__isnull=True).select_for_update())
        if not keys:
            return 0
        revoker = by if by is not None and by.is_authenticated else None
        ApiKey.objects.filter(pk__in=[key.pk for key in keys]).update(
            revoked_at=now, revoked_by=revoker
        )
        log.record_many(
            log.entry(
                log.Action.API_KEY_REVOKED,
                actor=by,
                obj=key,
                details=_audit_details(key),
                at=now,
            )
            for key in keys
        )
    return len(keys)
