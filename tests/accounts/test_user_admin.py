"""What administrators may do with accounts, checked on the server whatever is posted.

They invite, rename, give and take the newsroom's roles, and deactivate; they never make
anyone a superuser, grant single permissions, set a password or touch a superuser's account.
Superusers keep Django's whole user admin; editors see the list read-only (to link author
profiles); authors and moderators get 403.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from audit.models import AuditEntry
from tests.accounts.conftest import ADD_URL, USERS_URL, invite_data, user_url
from tests.helpers import logged_in
from tests.security.forms import form_data

User = get_user_model()


def change_data(client, user, **changes) -> dict:
    """Return the change form of *user* as *client* sees it, with *changes*."""
    page = client.get(user_url(user))
    assert page.status_code == 200
    return form_data(page.content.decode(), "user_form", **changes)


@pytest.fixture
def secret_group(db):
    """A group a superuser made, with rights no role has."""
    group = Group.objects.create(name="Secret keepers")
    group.permissions.add(Permission.objects.get(codename="delete_user"))
    return group


def test_the_administrators_form_has_no_superuser_flag_permissions_or_password(
    administrator_client, author_user
):
    page = administrator_client.get(user_url(author_user)).content.decode()

    for field in ("is_superuser", "is_staff", "user_permissions", "password"):
        assert f'name="{field}"' not in page
    assert 'name="is_active"' in page and 'name="groups"' in page
    assert reverse("admin:auth_user_password_change", args=[author_user.pk]) not in page


def test_an_administrator_cannot_make_anyone_superuser_by_posting_the_fields(
    administrator_client, author_user
):
    delete_users = Permission.objects.get(codename="delete_user")
    data = change_data(
        administrator_client,
        author_user,
        first_name="Arthur",
        is_superuser="on",
        is_staff="on",
        user_permissions=[str(delete_users.pk)],
        password="pbkdf2_sha256$1$x$y",
    )

    response = administrator_client.post(user_url(author_user), data)

    assert response.status_code == 302
    author_user.refresh_from_db()
    assert author_user.first_name == "Arthur", "the form was saved"
    assert not author_user.is_superuser
    assert not author_user.user_permissions.exists()
    assert author_user.check_password("changeme")


def test_an_invitation_cannot_create_a_superuser_either(administrator_client):
    data = invite_data(is_superuser="on", user_permissions=[1], password1="x", password2="x")

    assert administrator_client.post(ADD_URL, data).status_code == 302

    nina = User.objects.get(username="nina")
    assert not nina.is_superuser and not nina.user_permissions.exists()
    assert not nina.has_usable_password()


def test_an_administrator_can_give_only_the_newsrooms_roles(
    administrator_client, author_user, secret_group
):
    data = change_data(administrator_client, author_user, groups=[str(secret_group.pk)])

    response = administrator_client.post(user_url(author_user), data)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not author_user.groups.filter(pk=secret_group.pk).exists()
    refused = administrator_client.post(ADD_URL, invite_data(groups=[secret_group.pk]))
    assert refused.status_code == 200 and not User.objects.filter(username="nina").exists()


def test_roles_change_and_other_groups_stay_as_a_superuser_left_them(
    administrator_client, administrator, author_user, secret_group
):
    author_user.groups.add(secret_group)
    editors = Group.objects.get(name="Editors")
    data = change_data(administrator_client, author_user, groups=[str(editors.pk)])

    response = administrator_client.post(user_url(author_user), data)

    assert response.status_code == 302
    assert set(author_user.groups.values_list("name", flat=True)) == {"Editors", "Secret keepers"}
    entry = AuditEntry.objects.get(action=AuditEntry.Action.USER_ROLES_CHANGED)
    assert entry.actor == administrator and entry.object_repr == "arthur"
    assert entry.details["changes"] == {"roles": {"added": ["Editors"], "removed": ["Authors"]}}


def test_saving_without_a_change_of_rights_writes_no_roles_entry(administrator_client, author_user):
    data = change_data(administrator_client, author_user, last_name="Dent")

    assert administrator_client.post(user_url(author_user), data).status_code == 302

    assert not AuditEntry.objects.filter(action=AuditEntry.Action.USER_ROLES_CHANGED).exists()


def test_a_superusers_account_is_not_there_for_an_administrator(administrator_client, superuser):
    listing = administrator_client.get(USERS_URL)
    assert listing.status_code == 200
    assert superuser.username not in [user.username for user in listing.context["cl"].result_list]

    for view in ("change", "history", "delete"):
        assert administrator_client.get(user_url(superuser, view)).status_code == 404
    assert administrator_client.post(user_url(superuser), {"username": "taken"}).status_code == 404
    password = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert administrator_client.get(password).status_code == 403
    again = reverse("admin:auth_user_invite_again", args=[superuser.pk])
    assert administrator_client.post(again).status_code == 404

    administrator_client.post(
        USERS_URL, {"action": "deactivate_selected", "_selected_action": [superuser.pk]}
    )
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.username == "root"


def test_nobody_but_a_superuser_sets_someone_elses_password(
    administrator_client, author_user, superuser
):
    url = reverse("admin:auth_user_password_change", args=[author_user.pk])
    data = {"password1": "a-new-long-password", "password2": "a-new-long-password"}

    assert administrator_client.get(url).status_code == 403
    assert (
        administrator_client.post(url, {**data, "set_usable_password": "true"}).status_code == 403
    )
    author_user.refresh_from_db()
    assert author_user.check_password("changeme")
    assert logged_in(superuser).get(url).status_code == 200


def test_superusers_keep_djangos_whole_user_admin(superuser, author_user, secret_group):
    client = logged_in(superuser)
    page = client.get(user_url(author_user)).content.decode()
    for field in ("is_superuser", "is_staff", "user_permissions"):
        assert f'name="{field}"' in page
    assert "Secret keepers" in page

    data = form_data(page, "user_form", is_superuser="on", groups=[str(secret_group.pk)])
    assert client.post(user_url(author_user), data).status_code == 302

    author_user.refresh_from_db()
    assert author_user.is_superuser
    assert author_user.groups.filter(pk=secret_group.pk).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.USER_ROLES_CHANGED)
    assert entry.details["changes"]["superuser"] == {"from": False, "to": True}
    assert entry.details["changes"]["roles"]["added"] == ["Secret keepers"]


@pytest.mark.parametrize("role", ["author_user", "moderator"])
def test_authors_and_moderators_get_403_on_the_user_admin(request, role, editor):
    client = logged_in(request.getfixturevalue(role))

    assert client.get(USERS_URL).status_code == 403
    assert client.get(user_url(editor)).status_code == 403
    assert client.get(ADD_URL).status_code == 403
    assert client.post(ADD_URL, invite_data()).status_code == 403
    assert client.post(reverse("admin:auth_user_invite_again", args=[editor.pk])).status_code == 403
    assert not User.objects.filter(username="nina").exists()


def test_editors_see_the_team_read_only_and_change_nothing(editor, author_user):
    client = logged_in(editor)

    listing = client.get(USERS_URL)
    assert listing.status_code == 200, "editors link author profiles to accounts"
    assert "Invite a team member" not in listing.content.decode()
    assert listing.context["action_form"] is None or not [
        name for name, _label in listing.context["action_form"].fields["action"].choices if name
    ]
    assert client.get(ADD_URL).status_code == 403
    assert client.post(ADD_URL, invite_data()).status_code == 403
    page = client.get(user_url(author_user)).content.decode()
    assert 'name="groups"' not in page
    assert (
        client.post(user_url(author_user), {"username": "taken", "is_active": ""}).status_code
        == 403
    )
    post_again = client.post(reverse("admin:auth_user_invite_again", args=[author_user.pk]))
    assert post_again.status_code == 403
    client.post(USERS_URL, {"action": "deactivate_selected", "_selected_action": [author_user.pk]})
    author_user.refresh_from_db()
    assert author_user.is_active and author_user.username == "arthur"


def test_the_list_says_who_is_active_invited_or_gone(administrator_client, author_user, editor):
    administrator_client.post(ADD_URL, invite_data())
    editor.is_active = False
    editor.save()

    page = administrator_client.get(USERS_URL).content.decode()

    assert "Invited: no password set yet" in page
    assert "Deactivated" in page
    assert "Invite a team member" in page
