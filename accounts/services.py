"""Writes to the team's accounts: invite, invite again, deactivate, change roles.

The user admin (form saves and bulk actions) calls these; each writes the audit log
(``audit.log``, the account as the entry's object) and queues mail through the worker
(``accounts.tasks``). Tasks are rows of the database queue written in the caller's
transaction, so an invitation is queued exactly when its account is created.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.utils import timezone

from accounts.mail import invitation_pending
from accounts.tasks import send_invitation
from audit import log


def _details(user, **extra) -> dict:
    return {"model": "auth.user", "id": user.pk, **extra}


def _inviter(by) -> str:
    return by.get_full_name() or by.get_username()


def user_invite(*, user, by) -> None:
    """Record that *by* invited the new account *user* and queue the invitation email."""
    roles = sorted(user.groups.values_list("name", flat=True))
    log.record(
        log.Action.USER_INVITED,
        actor=by,
        obj=user,
        details=_details(
            user, email=user.email, changes={"roles": {"added": roles, "removed": []}}
        ),
    )
    send_invitation.enqueue(user.pk, _inviter(by))


def users_invite_again(*, users, by) -> list:
    """Queue a fresh invitation to each of *users* still waiting on one; return those invited.

    Accounts with a password already, or deactivated, or without an address, are skipped:
    they have nothing to accept.
    """
    invited = [user for user in users if invitation_pending(user) and user.email]
    log.record_many(
        log.entry(
            log.Action.USER_INVITED_AGAIN,
            actor=by,
            obj=user,
            details=_details(user, email=user.email, bulk=len(invited) > 1),
        )
        for user in invited
    )
    for user in invited:
        send_invitation.enqueue(user.pk, _inviter(by))
    return invited


@transaction.atomic
def users_deactivate(*, users, by) -> list:
    """Deactivate the active accounts among *users* but *by*'s own; return those deactivated.

    Each is logged out everywhere at once (:func:`sessions_end`). Nothing is deleted: the
    account keeps its name on stories, in the history and in the audit log, and can be made
    active again.
    """
    targets = list(users.filter(is_active=True).exclude(pk=by.pk))
    if not targets:
        return []
    users.model._default_manager.filter(pk__in=[user.pk for user in targets]).update(
        is_active=False
    )
    sessions_end([user.pk for user in targets])
    log.record_many(
        log.entry(
            log.Action.USER_DEACTIVATED,
            actor=by,
            obj=user,
            details=_details(user, bulk=len(targets) > 1),
        )
        for user in targets
    )
    return targets


def user_active_changed(*, user, by) -> None:
    """Follow up on a saved change of *user*'s "Active" switch: log out, and audit."""
    if user.is_active:
        log.record(log.Action.USER_REACTIVATED, actor=by, obj=user, details=_details(user))
        return
    sessions_end([user.pk])
    log.record(log.Action.USER_DEACTIVATED, actor=by, obj=user, details=_details(user))


def user_access_changed(*, user, by, changes: dict) -> None:
    """Record a change of *user*'s roles (or, by a superuser, of their other rights)."""
    log.record(
        log.Action.USER_ROLES_CHANGED,
        actor=by,
        obj=user,
        details=_details(user, changes=changes),
    )


def sessions_end(user_ids) -> int:
    """Log the accounts *user_ids* out everywhere: delete their sessions; return how many.

    Sessions are kept in the database and read through the cache (``cached_db``): each one
    is deleted through its session store, which drops the cached copy with the row, so no
    app server goes on trusting it. A session does not say whose it is outside its encoded
    data, so the live ones are read and decoded; only people who log in have one (readers
    are never given a session), so that is the staff's few sessions.
    """
    wanted = {str(pk) for pk in user_ids}
    if not wanted:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    live = (
        store.get_model_class()
        .objects.filter(expire_date__gt=timezone.now())
        .values_list("session_key", "session_data")
    )
    ended = 0
    for session_key, session_data in live.iterator():
        if str(store().decode(session_data).get(SESSION_KEY)) in wanted:
            store(session_key=session_key).delete()
            ended += 1
    return ended
