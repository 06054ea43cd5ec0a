"""An administrator invites a team member; the emailed link sets the password, once."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks_db.models import DBTaskResult

from accounts.tokens import invitation_token_generator
from audit.models import AuditEntry
from tests.accounts.conftest import ADD_URL, USERS_URL, invite_data, link_in, user_url
from tests.helpers import SITE, staff

User = get_user_model()
PASSWORD = "a-long-and-new-password"


def welcome_path(user, token: str) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("admin_welcome", args=[uidb64, token])


def aged_token(user, days: float) -> str:
    """Return an invitation token made *days* ago."""
    generator = invitation_token_generator
    made = generator._num_seconds(generator._now()) - int(days * 24 * 60 * 60)
    return generator._make_token_with_timestamp(user, made, generator.secret)


def set_password(client, path: str, password: str = PASSWORD):
    """Open a set-password link as its recipient would, and set *password* there."""
    opened = client.get(path)
    assert opened.status_code == 302, "the token leaves the address bar for the session"
    form_path = opened["Location"]
    assert client.get(form_path).status_code == 200
    return client.post(form_path, {"new_password1": password, "new_password2": password})


def invite(administrator_client, **overrides):
    return administrator_client.post(ADD_URL, invite_data(**overrides))


@pytest.fixture
def invited(administrator_client):
    response = invite(administrator_client)
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(username="nina")


def test_an_administrator_invites_an_author_who_sets_a_password_from_the_email(
    administrator_client, administrator, client, run_tasks, mailoutbox
):
    page = administrator_client.get(ADD_URL)
    assert page.status_code == 200
    assert "Invite a team member" in page.content.decode()

    response = invite(administrator_client)

    nina = User.objects.get(username="nina")
    assert response.status_code == 302
    assert response["Location"] == user_url(nina)
    assert (nina.email, nina.get_full_name()) == ("nina@newsroom.example", "Nina Simone")
    assert nina.is_staff and nina.is_active and not nina.is_superuser
    assert not nina.has_usable_password()
    assert list(nina.groups.values_list("name", flat=True)) == ["Authors"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.USER_INVITED)
    assert (entry.actor, entry.object_repr) == (administrator, "nina")
    assert entry.details["changes"] == {"roles": {"added": ["Authors"], "removed": []}}
    assert entry.details["email"] == nina.email
    # The email is the worker's to send, not the administrator's request's.
    assert mailoutbox == []
    assert [task.task_path for task in run_tasks()] == ["accounts.tasks.send_invitation"]

    (message,) = mailoutbox
    assert message.to == ["nina@newsroom.example"]
    assert "invited" in message.subject
    assert "ada invited you" in message.body and "Authors" in message.body
    assert "nina" in message.body and f"{SITE}/admin/welcome/" in message.body
    done = set_password(client, link_in(message))

    assert done.status_code == 302 and done["Location"] == reverse("admin:login")
    login_page = client.get(done["Location"])
    assert "Your password is set" in login_page.content.decode()
    nina.refresh_from_db()
    assert nina.check_password(PASSWORD)
    assert "_auth_user_id" not in client.session, "no automatic login: the login page decides"
    assert client.login(username="nina", password=PASSWORD)
    accepted = AuditEntry.objects.get(action=AuditEntry.Action.INVITATION_ACCEPTED)
    assert accepted.actor == nina


def test_the_invitation_link_is_refused_once_used_with_a_page_that_says_so(
    invited, client, run_tasks, mailoutbox
):
    run_tasks()
    path = link_in(mailoutbox[0])
    set_password(client, path)

    again = client.get(path)

    assert again.status_code == 200
    text = again.content.decode()
    assert "This invitation link can no longer be used" in text
    assert "new_password1" not in text
    invited.refresh_from_db()
    assert invited.check_password(PASSWORD)


def test_the_invitation_link_expires_after_the_configured_days(invited, client, settings):
    settings.NEWSROOM_INVITATION_DAYS = 7

    assert client.get(welcome_path(invited, aged_token(invited, 6.9))).status_code == 302
    expired = client.get(welcome_path(invited, aged_token(invited, 7.1)))

    assert expired.status_code == 200
    assert "can no longer be used" in expired.content.decode()
    assert "7 days" in expired.content.decode()
    settings.NEWSROOM_INVITATION_DAYS = 10
    assert client.get(welcome_path(invited, aged_token(invited, 7.1))).status_code == 302


def test_an_expired_link_stored_in_the_session_is_refused_when_the_form_is_sent(
    invited, client, settings
):
    path = welcome_path(invited, aged_token(invited, 6.9))
    form_path = client.get(path)["Location"]
    settings.NEWSROOM_INVITATION_DAYS = 6

    response = client.post(form_path, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert response.status_code == 200
    assert "can no longer be used" in response.content.decode()
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_a_password_reset_token_is_no_invitation_and_an_invitation_no_reset(invited, client):
    reset_token = default_token_generator.make_token(invited)
    uidb64 = urlsafe_base64_encode(force_bytes(invited.pk))

    as_invitation = client.get(welcome_path(invited, reset_token))
    as_reset = client.get(
        reverse(
            "admin_password_reset_confirm",
            args=[uidb64, invitation_token_generator.make_token(invited)],
        )
    )

    assert as_invitation.status_code == as_reset.status_code == 200
    assert "can no longer be used" in as_invitation.content.decode()
    assert "can no longer be used" in as_reset.content.decode()


@pytest.mark.parametrize(
    ("uidb64", "token"),
    [
        ("MQ", "set-password"),
        ("!!!", "abc-def"),
        ("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "abc-def"),
        ("OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "zzzzzzzzzzzzzzzzzzzz-0"),
        ("LTE", "1-1"),
        ("AA", "-"),
        ("w6k", "ééé-é"),
    ],
)
def test_a_mangled_link_gets_the_clear_page_never_an_error(client, db, uidb64, token):
    for name in ("admin_welcome", "admin_password_reset_confirm"):
        response = client.get(reverse(name, args=[uidb64, token]))

        assert response.status_code == 200
        assert "can no longer be used" in response.content.decode()


def test_a_deactivated_persons_invitation_no_longer_works(invited, client):
    path = welcome_path(invited, invitation_token_generator.make_token(invited))
    invited.is_active = False
    invited.save()

    response = client.get(path)

    assert response.status_code == 200
    assert "can no longer be used" in response.content.decode()


def test_the_new_password_must_pass_the_password_rules(invited, client):
    path = welcome_path(invited, invitation_token_generator.make_token(invited))

    response = set_password(client, path, password="password")

    assert response.status_code == 200
    assert "This password is too common" in response.content.decode()
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_the_set_password_pages_are_never_cached(invited, client):
    path = welcome_path(invited, invitation_token_generator.make_token(invited))

    response = client.get(client.get(path)["Location"])

    assert "no-store" in response["Cache-Control"]


# -- The invitation form ----------------------------------------------------------------------


def test_an_invitation_needs_an_address_nobody_else_uses_whatever_its_case(
    administrator_client, editor
):
    taken = invite(administrator_client, email="EDNA@Newsroom.Example")
    missing = invite(administrator_client, email="")

    assert taken.status_code == missing.status_code == 200
    assert "Another account already uses this address" in taken.content.decode()
    assert "This field is required" in missing.content.decode()
    assert not User.objects.filter(username="nina").exists()


def test_an_invitation_needs_a_free_username_whatever_its_case_and_a_role(
    administrator_client, editor
):
    taken = invite(administrator_client, username="EDNA")
    roleless = invite(administrator_client, groups=[])

    assert "Another account already has this username" in taken.content.decode()
    assert "This field is required" in roleless.content.decode()
    assert not User.objects.filter(email="nina@newsroom.example").exists()


def test_the_invitation_queues_nothing_when_the_form_is_refused(administrator_client, editor):
    invite(administrator_client, email="edna@newsroom.example")

    assert not DBTaskResult.objects.exists()
    assert not AuditEntry.objects.exists()


# -- Sending it again ---------------------------------------------------------------------------


def test_send_invitation_again_from_the_persons_page(
    invited, administrator_client, administrator, run_tasks, mailoutbox
):
    run_tasks()
    page = administrator_client.get(user_url(invited))
    again_url = reverse("admin:auth_user_invite_again", args=[invited.pk])
    assert again_url in page.content.decode()
    assert administrator_client.get(again_url).status_code == 405

    response = administrator_client.post(again_url)

    assert response.status_code == 302 and response["Location"] == user_url(invited)
    run_tasks()
    assert len(mailoutbox) == 2 and mailoutbox[1].to == [invited.email]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.USER_INVITED_AGAIN)
    assert entry.actor == administrator and entry.object_repr == "nina"
    # Both links work until they expire or one of them is used.
    assert client_sets_password(link_in(mailoutbox[0]))
    assert not client_sets_password(link_in(mailoutbox[1]))


def client_sets_password(path: str) -> bool:
    client = Client()
    opened = client.get(path)
    if opened.status_code != 302:
        return False
    response = client.post(
        opened["Location"], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    return response.status_code == 302


def test_send_again_skips_people_who_have_a_password_or_left(
    invited, administrator_client, author_user, run_tasks, mailoutbox
):
    gone = staff(User, "gone", "Authors")
    gone.set_unusable_password()
    gone.is_active = False
    gone.save()

    response = administrator_client.post(
        USERS_URL,
        {
            "action": "invite_again",
            "_selected_action": [invited.pk, author_user.pk, gone.pk],
        },
        follow=True,
    )

    text = response.content.decode()
    assert "A new invitation is on its way to 1 person" in text
    assert "2 accounts got no invitation" in text
    run_tasks()
    assert [message.to for message in mailoutbox] == [[invited.email], [invited.email]]


def test_the_button_is_shown_only_while_the_invitation_is_pending(
    administrator_client, author_user
):
    page = administrator_client.get(user_url(author_user))

    assert page.status_code == 200
    assert "Send invitation again" not in page.content.decode()


def test_an_invitation_whose_account_got_a_password_meanwhile_is_not_sent(
    invited, run_tasks, mailoutbox
):
    invited.set_password(PASSWORD)
    invited.save()

    (result,) = run_tasks()

    assert result.return_value is False
    assert mailoutbox == []


def test_roles_offered_are_the_newsrooms_as_checkboxes(administrator_client):
    Group.objects.create(name="Secret keepers")

    page = administrator_client.get(ADD_URL).content.decode()

    offered = set(map(int, re.findall(r'type="checkbox" name="groups" value="(\d+)"', page)))
    roles = ("Authors", "Editors", "Moderators", "Administrators")
    assert offered == set(Group.objects.filter(name__in=roles).values_list("pk", flat=True))
    assert "Secret keepers" not in page
