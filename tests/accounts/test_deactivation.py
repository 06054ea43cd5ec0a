"""Deactivating a team member logs them out everywhere, keeps their name, and is audited."""

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

from audit.models import AuditEntry
from tests.accounts.conftest import USERS_URL, user_url
from tests.helpers import logged_in
from tests.security.forms import form_data

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
ADMIN_INDEX = reverse("admin:index")


def session_of(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def is_logged_in(client) -> bool:
    response = client.get(ADMIN_INDEX)
    return response.status_code == 200


@pytest.fixture
def authors_browsers(author_user):
    """Two browsers the author is logged in with (the office and a phone), each used once."""
    browsers = [logged_in(author_user), logged_in(author_user)]
    for browser in browsers:
        assert is_logged_in(browser)
    return browsers


def test_unticking_active_logs_the_person_out_everywhere(
    administrator_client, administrator, author_user, authors_browsers, editor
):
    editors_browser = logged_in(editor)
    keys = [session_of(browser) for browser in authors_browsers]
    # Read through the cache once, so that a copy of each session sits in it.
    assert all(cache.get(SessionStore(session_key=key).cache_key) for key in keys)
    page = administrator_client.get(user_url(author_user))
    assert "Untick to deactivate" in page.content.decode()
    data = form_data(page.content.decode(), "user_form", is_active=None)

    response = administrator_client.post(user_url(author_user), data)

    assert response.status_code == 302
    author_user.refresh_from_db()
    assert not author_user.is_active
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not any(cache.get(SessionStore(session_key=key).cache_key) for key in keys)
    assert not any(is_logged_in(browser) for browser in authors_browsers)
    assert is_logged_in(editors_browser), "other people's sessions are left alone"
    assert is_logged_in(administrator_client)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.USER_DEACTIVATED)
    assert (entry.actor, entry.object_repr) == (administrator, "arthur")


def test_reactivating_does_not_bring_old_sessions_back(
    administrator_client, administrator, author_user, authors_browsers
):
    page = administrator_client.get(user_url(author_user)).content.decode()
    administrator_client.post(user_url(author_user), form_data(page, "user_form", is_active=None))
    page = administrator_client.get(user_url(author_user)).content.decode()

    administrator_client.post(user_url(author_user), form_data(page, "user_form", is_active="on"))

    author_user.refresh_from_db()
    assert author_user.is_active
    assert not any(is_logged_in(browser) for browser in authors_browsers)
    assert logged_in(author_user).get(ADMIN_INDEX).status_code == 200, "a new login works"
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [AuditEntry.Action.USER_DEACTIVATED, AuditEntry.Action.USER_REACTIVATED]


def test_deactivate_selected_logs_each_out_and_audits_each(
    administrator_client, administrator, author_user, authors_browsers, moderator, editor
):
    moderators_browser = logged_in(moderator)
    editors_browser = logged_in(editor)
    keys = [session_of(browser) for browser in [*authors_browsers, moderators_browser]]

    response = administrator_client.post(
        USERS_URL,
        {"action": "deactivate_selected", "_selected_action": [author_user.pk, moderator.pk]},
        follow=True,
    )

    assert "2 accounts deactivated" in response.content.decode()
    assert not any(is_logged_in(browser) for browser in [*authors_browsers, moderators_browser])
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert Session.objects.filter(session_key=session_of(editors_browser)).exists()
    author_user.refresh_from_db()
    moderator.refresh_from_db()
    editor.refresh_from_db()
    assert not author_user.is_active and not moderator.is_active and editor.is_active
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.USER_DEACTIVATED)
    assert sorted(entries.values_list("object_repr", flat=True)) == ["arthur", "mona"]
    assert {entry.actor for entry in entries} == {administrator}


def test_an_administrator_cannot_deactivate_their_own_account(administrator_client, administrator):
    page = administrator_client.get(user_url(administrator)).content.decode()

    refused = administrator_client.post(
        user_url(administrator), form_data(page, "user_form", is_active=None)
    )
    bulk = administrator_client.post(
        USERS_URL,
        {"action": "deactivate_selected", "_selected_action": [administrator.pk]},
        follow=True,
    )

    assert refused.status_code == 200
    assert "You cannot deactivate your own account" in refused.content.decode()
    assert "Your own account was left active" in bulk.content.decode()
    administrator.refresh_from_db()
    assert administrator.is_active
    assert is_logged_in(administrator_client)
    assert not AuditEntry.objects.exists()


def test_a_deactivated_account_keeps_its_name_and_cannot_log_in(
    administrator_client, author_user, client
):
    administrator_client.post(
        USERS_URL, {"action": "deactivate_selected", "_selected_action": [author_user.pk]}
    )

    response = client.post(
        reverse("admin:login"),
        {"username": "arthur", "password": "changeme", "next": ADMIN_INDEX},
        REMOTE_ADDR="203.0.113.20",
    )

    assert response.status_code == 200, "the login form again"
    assert "_auth_user_id" not in client.session
    author_user.refresh_from_db()
    assert author_user.username == "arthur"
    assert author_user.author_profile.name == "Arthur Dent"
