"""Holes found by attacking the user admin from outside, each kept shut by a test.

- An administrator could change the address of an account holding rights no role gives
  (a superuser's own group, single permissions), ask "Forgotten your password?" for the new
  address and so log in as that account: rights only a superuser hands out.
- A bulk action posted with something that is no account id in the selection was a 500.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import USERS_URL, user_url
from tests.security.forms import form_data

User = get_user_model()
ATTACKER = "ada.private@mail.example"


@pytest.fixture
def secret_group(db):
    """A group a superuser made, with rights no role has."""
    group = Group.objects.create(name="Secret keepers")
    group.permissions.add(Permission.objects.get(codename="change_group"))
    return group


def change_data(client, user, **changes) -> dict:
    page = client.get(user_url(user))
    assert page.status_code == 200
    return form_data(page.content.decode(), "user_form", **changes)


def ask_for_reset(email: str):
    return Client().post(reverse("admin_password_reset"), {"email": email})


@pytest.mark.parametrize("extra", ["group", "permission"])
def test_an_administrator_cannot_send_a_more_powerful_accounts_reset_to_themselves(
    extra, administrator_client, author_user, secret_group, after_commit, mailoutbox
):
    if extra == "group":
        author_user.groups.add(secret_group)
    else:
        author_user.user_permissions.add(Permission.objects.get(codename="delete_user"))
    page = administrator_client.get(user_url(author_user)).content.decode()
    assert 'name="email"' not in page, "the address is shown, not offered"

    data = change_data(administrator_client, author_user, first_name="Arthur", email=ATTACKER)
    with after_commit():
        assert administrator_client.post(user_url(author_user), data).status_code == 302
        ask_for_reset(ATTACKER)

    author_user.refresh_from_db()
    assert author_user.first_name == "Arthur", "the rest of the form was saved"
    assert author_user.email == "arthur@newsroom.example"
    assert not [message for message in mailoutbox if ATTACKER in message.to]


def test_an_administrator_still_changes_the_address_of_an_account_with_roles_only(
    administrator_client, author_user
):
    data = change_data(administrator_client, author_user, email="arthur.dent@newsroom.example")

    assert administrator_client.post(user_url(author_user), data).status_code == 302

    author_user.refresh_from_db()
    assert author_user.email == "arthur.dent@newsroom.example"


def test_a_superuser_still_changes_any_address(superuser, author_user, secret_group):
    author_user.groups.add(secret_group)
    client = Client()
    client.force_login(superuser)
    data = change_data(client, author_user, email="arthur.dent@newsroom.example")

    assert client.post(user_url(author_user), data).status_code == 302

    author_user.refresh_from_db()
    assert author_user.email == "arthur.dent@newsroom.example"


@pytest.mark.parametrize("junk", ["abc", "1 OR 1=1", "\x00", "", "-"])
@pytest.mark.parametrize("action", ["deactivate_selected", "invite_again"])
def test_a_bulk_action_on_something_that_is_no_account_id_is_refused_not_a_500(
    action, junk, administrator_client, author_user
):
    response = administrator_client.post(
        USERS_URL,
        {"action": action, "index": "0", "_selected_action": [str(author_user.pk), junk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Nothing was changed" in response.content.decode()
    author_user.refresh_from_db()
    assert author_user.is_active
