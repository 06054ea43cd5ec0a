"""'Forgotten your password?' on the admin login: the same answer for every address.

The request only checks the form and queues one task with the address; the worker looks the
accounts up and mails the link. So a known and an unknown address get the same status, page
and database work, and only a known one gets mail.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEntry
from tests.accounts.conftest import link_in
from tests.helpers import SITE, staff

User = get_user_model()
RESET_URL = reverse("admin_password_reset")
DONE_URL = reverse("admin_password_reset_done")
PASSWORD = "a-long-and-new-password"
KNOWN = "arthur@newsroom.example"
UNKNOWN = "nobody@newsroom.example"


def ask(client, email: str, ip: str = "203.0.113.30"):
    return client.post(RESET_URL, {"email": email}, REMOTE_ADDR=ip)


def without_token(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def test_the_login_page_links_to_the_password_reset(client, db):
    page = client.get(reverse("admin:login")).content.decode()

    assert f'href="{RESET_URL}"' in page
    form = client.get(RESET_URL)
    assert form.status_code == 200
    assert "Email me a link" in form.content.decode()
    assert "no-store" in form["Cache-Control"]


def test_known_and_unknown_addresses_get_the_same_answer(author_user):
    known, unknown = Client(), Client()

    answers = [ask(known, KNOWN), ask(unknown, UNKNOWN)]

    assert [answer.status_code for answer in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"] == DONE_URL
    pages = [client.get(DONE_URL) for client in (known, unknown)]
    assert [page.status_code for page in pages] == [200, 200]
    assert [page.templates[0].name for page in pages] == ["accounts/password_reset_done.html"] * 2
    assert without_token(pages[0]) == without_token(pages[1])
    assert "If an account uses the address" in pages[0].content.decode()


def test_a_malformed_address_gets_the_same_form_again_whoever_asks(author_user):
    answers = [ask(Client(), "arthur@"), ask(Client(), "nobody@")]

    assert [answer.status_code for answer in answers] == [200, 200]
    assert "Enter a valid email address" in answers[0].content.decode()
    assert without_token(answers[0]).replace("arthur@", "nobody@") == without_token(answers[1])
    assert not DBTaskResult.objects.exists()


def test_the_request_does_the_same_database_work_for_known_and_unknown(author_user):
    ask(Client(), "warm-up@newsroom.example")
    work = {}
    for email in (KNOWN, UNKNOWN):
        with CaptureQueriesContext(connection) as queries:
            ask(Client(), email)
        # The statements, their values left out (the task's id, time and address differ).
        work[email] = [re.sub(r"'[^']*'", "?", query["sql"]) for query in queries]

    assert work[KNOWN] == work[UNKNOWN]
    assert not any("auth_user" in sql for sql in work[KNOWN]), "accounts are the worker's to find"


def test_only_a_known_address_gets_mail_from_the_worker(author_user, run_tasks, mailoutbox):
    ask(Client(), KNOWN)
    ask(Client(), UNKNOWN)

    assert mailoutbox == [], "nothing is sent during the request"
    tasks = run_tasks()
    assert [task.task_path for task in tasks] == ["accounts.tasks.send_password_reset"] * 2
    assert [task.return_value for task in tasks] == [1, 0]
    (message,) = mailoutbox
    assert message.to == [KNOWN]
    assert "arthur" in message.body
    assert f"{SITE}/admin/reset/" in message.body, "built on the configured origin"
    assert not AuditEntry.objects.exists()


def test_the_link_sets_a_new_password_once(author_user, client, run_tasks, mailoutbox):
    ask(Client(), KNOWN)
    run_tasks()
    path = link_in(mailoutbox[0])

    form_path = client.get(path)["Location"]
    done = client.post(form_path, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert done.status_code == 302 and done["Location"] == reverse("admin_password_reset_complete")
    assert "Your password is set" in client.get(done["Location"]).content.decode()
    author_user.refresh_from_db()
    assert author_user.check_password(PASSWORD)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PASSWORD_RESET)
    assert entry.actor == author_user
    used = Client().get(path)
    assert used.status_code == 200
    assert "can no longer be used" in used.content.decode()


def test_the_address_matches_whatever_its_case(author_user, run_tasks, mailoutbox):
    ask(Client(), "Arthur@NEWSROOM.example")
    run_tasks()

    assert [message.to for message in mailoutbox] == [[KNOWN]]


def test_an_invited_person_who_lost_the_invitation_gets_a_reset_link(
    django_user_model, run_tasks, mailoutbox
):
    invited = staff(django_user_model, "nina", "Authors")
    invited.set_unusable_password()
    invited.save()

    ask(Client(), "nina@newsroom.example")
    run_tasks()

    (message,) = mailoutbox
    client = Client()
    form_path = client.get(link_in(message))["Location"]
    client.post(form_path, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    invited.refresh_from_db()
    assert invited.check_password(PASSWORD)


@pytest.mark.parametrize(
    "account",
    [
        {"is_active": False},
        {"is_staff": False},
        {"password": None, "last_login": True},
    ],
    ids=["deactivated", "not staff", "password turned off after use"],
)
def test_accounts_that_may_not_log_in_get_no_mail(
    django_user_model, run_tasks, mailoutbox, account
):
    user = staff(django_user_model, "nina", "Authors")
    if account.get("password", "") is None:
        user.set_unusable_password()
    if account.get("last_login"):
        user.last_login = user.date_joined
    user.is_active = account.get("is_active", True)
    user.is_staff = account.get("is_staff", True)
    user.save()

    ask(Client(), "nina@newsroom.example")
    run_tasks()

    assert mailoutbox == []


def test_one_client_is_slowed_down_with_a_clear_page_whatever_it_asks(
    author_user, settings, run_tasks, mailoutbox
):
    settings.PASSWORD_RESET_RATE_LIMIT_COUNT = 2
    settings.PASSWORD_RESET_RATE_LIMIT_PERIOD = 3600
    client = Client()

    answers = [ask(client, email) for email in (UNKNOWN, UNKNOWN, KNOWN, UNKNOWN)]

    assert [answer.status_code for answer in answers] == [302, 302, 429, 429]
    text = answers[2].content.decode()
    assert "Too many password resets were asked for from your network" in text
    assert 0 < int(answers[2]["Retry-After"]) <= 3600
    assert without_token(answers[2]).replace(KNOWN, UNKNOWN) == without_token(answers[3])
    assert DBTaskResult.objects.count() == 2
    assert ask(Client(), KNOWN, ip="198.51.100.9").status_code == 302, "others are not slowed"
    run_tasks()
    assert [message.to for message in mailoutbox] == [[KNOWN]]


def test_an_ipv6_client_counts_as_its_whole_network(author_user, settings):
    settings.PASSWORD_RESET_RATE_LIMIT_COUNT = 1

    first = ask(Client(), UNKNOWN, ip="2001:db8:1:2::1")
    second = ask(Client(), UNKNOWN, ip="2001:db8:1:2::ffff")

    assert (first.status_code, second.status_code) == (302, 429)


def test_one_account_gets_a_bounded_number_of_emails_however_many_clients_ask(
    author_user, settings, run_tasks, mailoutbox
):
    settings.PASSWORD_RESET_RATE_LIMIT_COUNT = 2

    for n in range(4):
        assert ask(Client(), KNOWN, ip=f"198.51.100.{n + 1}").status_code == 302
    run_tasks()

    assert len(mailoutbox) == 2
