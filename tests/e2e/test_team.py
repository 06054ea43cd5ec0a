"""The team, end to end in Chromium: an administrator invites an author, who joins.

The administrator logs in, fills in "Invite a team member" and sends it; the worker mails
the invitation; the author opens its link in a browser of their own, chooses a password,
is sent to the login page and logs in with it. Then "Forgotten your password?" from the
login page sends a link that sets a new one.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.e2e.conftest import PASSWORD, ensure_roles, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Caspian-ferry-at-midnight"
LINK = re.compile(r"https?://\S+/admin/(?:welcome|reset)/\S+/")


@pytest.fixture
def administrator(transactional_db):
    ensure_roles()
    user = get_user_model().objects.create_user(
        "ada", "ada@newsroom.example", PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Administrators"))
    return user


def link_path(message) -> str:
    (url,) = LINK.findall(message.body)
    return urlsplit(url).path


def set_password(page, password: str) -> None:
    page.get_by_label("New password").fill(password)
    page.get_by_label("Confirm password").fill(password)
    page.get_by_role("button", name="Set my password").click()


def invite_author(page, username: str, first_name: str, last_name: str) -> None:
    """From the user list, invite *username* as an author (address username@newsroom.example)."""
    page.goto("/admin/auth/user/")
    page.get_by_role("link", name="Invite a team member").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Last name").fill(last_name)
    page.get_by_label("Email address").fill(f"{username}@newsroom.example")
    page.get_by_label("Authors").check()
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_url(re.compile(r"/admin/auth/user/\d+/change/"))


def log_in_as(page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def test_an_administrator_invites_an_author_who_sets_a_password_and_logs_in(
    new_page, administrator, run_tasks, mailoutbox
):
    ada = new_page("administrator")
    log_in(ada, "ada")
    invite_author(ada, "nina", "Nina", "Avetisyan")
    assert "An invitation is on its way to nina@newsroom.example" in ada.content()
    assert ada.get_by_role("button", name="Send invitation again").is_visible()

    assert [task.task_path for task in run_tasks()] == ["accounts.tasks.send_invitation"]
    (invitation,) = mailoutbox
    assert invitation.to == ["nina@newsroom.example"]

    nina = new_page("invitee")
    nina.goto(link_path(invitation))
    assert "/admin/welcome/" in nina.url and "set-password" in nina.url, "token out of the URL"
    assert "nina" in nina.locator("#content-main").inner_text()
    set_password(nina, NEW_PASSWORD)
    nina.wait_for_url("**/admin/login/")
    assert "Your password is set" in nina.content()
    log_in_as(nina, "nina", NEW_PASSWORD)
    assert nina.get_by_role("link", name="Stories").first.is_visible()

    # The link was for one use: opened again, it says so.
    again = new_page("invitee-again")
    again.goto(link_path(invitation))
    assert "This invitation link can no longer be used" in again.content()

    # The administrator's list now shows her as active, with her role.
    ada.goto("/admin/auth/user/?q=nina")
    row = ada.locator("#result_list tbody tr", has_text="nina")
    assert "Authors" in row.inner_text() and "Invited" not in row.inner_text()


def test_forgotten_password_from_the_login_page(new_page, roles_users, run_tasks, mailoutbox):
    page = new_page("author")
    page.goto("/admin/login/")
    page.get_by_role("link", name="Forgotten your login credentials?").click()
    page.get_by_label("Email address").fill("arthur@newsroom.example")
    page.get_by_role("button", name="Email me a link").click()
    page.wait_for_url("**/admin/password_reset/done/")
    assert "If an account uses the address" in page.content()

    run_tasks()
    (message,) = mailoutbox
    page.goto(link_path(message))
    set_password(page, NEW_PASSWORD)
    page.wait_for_url("**/admin/reset/done/")
    page.get_by_role("link", name="Log in").last.click()
    log_in_as(page, "arthur", NEW_PASSWORD)
