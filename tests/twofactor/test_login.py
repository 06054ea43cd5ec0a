"""Logging in with a second factor: the password, then a code, before any admin page opens.

Wrong codes count as failed logins with django-axes, per username and address, together with
wrong passwords; django-otp's own throttle slows quick guesses on the device too.
"""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.models import Article
from audit.models import AuditEntry
from tests.helpers import change_url, form_data
from tests.twofactor.helpers import (
    ELSEWHERE,
    OFFICE,
    admin_opens,
    app_code,
    give_code,
    log_in,
    verify_url,
    wrong_code,
)

LIMIT = settings.AXES_FAILURE_LIMIT


def let_the_device_throttle_pass() -> None:
    """Move django-otp's last failure back in time, as if the editor waited."""
    TOTPDevice.objects.update(throttling_failure_timestamp=timezone.now() - timedelta(days=1))


def test_the_password_alone_leads_to_the_code_page(client, editor, enrol):
    enrol(editor)

    response = log_in(client, editor)
    assert response.status_code == 302 and response["Location"] == "/admin/"

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == verify_url("/admin/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "authenticator app" in page.content.decode()


def test_the_right_code_completes_the_login_and_goes_on_to_the_page_asked_for(
    client, editor, enrol
):
    device, _codes = enrol(editor)
    changelist = reverse("admin:articles_article_changelist")
    log_in(client, editor, next_url=changelist)
    session_key = client.session.session_key

    response = give_code(client, app_code(device, 1), next_url=changelist)

    assert response.status_code == 302
    assert response["Location"] == changelist
    assert client.get(changelist).status_code == 200
    # A session that is worth more gets a new key.
    assert client.session.session_key != session_key


def test_until_the_code_is_given_no_admin_page_opens_and_nothing_changes(
    client, editor, enrol, draft_article
):
    enrol(editor)
    log_in(client, editor)

    for url in (
        reverse("admin:index"),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_add"),
        change_url(draft_article),
        reverse("admin:password_change"),
        reverse("twofactor:overview"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == verify_url(url)
    response = client.post(change_url(draft_article), form_data(draft_article, title="Hacked"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("twofactor:verify"))
    draft_article.refresh_from_db()
    assert draft_article.title == "An unfinished draft"


def test_a_session_owing_its_code_sees_no_draft_preview(client, editor, enrol, draft_article):
    enrol(editor)
    log_in(client, editor)

    response = client.get(reverse("articles:preview", args=[draft_article.pk]))

    assert response.status_code == 404


def test_logout_stays_open_before_the_code(client, editor, enrol):
    enrol(editor)
    log_in(client, editor)

    client.post(reverse("admin:logout"))

    assert "_auth_user_id" not in client.session


def test_a_code_is_accepted_once(client, editor, enrol):
    device, _codes = enrol(editor)
    code = app_code(device, 1)
    log_in(client, editor)
    assert give_code(client, code).status_code == 302
    client.post(reverse("admin:logout"))

    log_in(client, editor)
    response = give_code(client, code)

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()


def test_a_backup_code_works_once_and_is_audited(client, editor, enrol):
    _device, codes = enrol(editor)
    log_in(client, editor)

    response = give_code(client, codes[3].upper()[:4] + "-" + codes[3][4:])

    assert response.status_code == 302
    assert admin_opens(client)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.BACKUP_CODE_USED)
    assert entry.actor == editor and entry.details == {"left": 9}
    client.post(reverse("admin:logout"))

    log_in(client, editor)
    again = give_code(client, codes[3])
    assert again.status_code == 200
    assert "_auth_user_id" in client.session
    assert not admin_opens(client)


def test_wrong_codes_pause_that_username_from_that_address(client, editor, enrol):
    device, _codes = enrol(editor)
    log_in(client, editor)

    statuses = [give_code(client, wrong_code(device)).status_code for _ in range(LIMIT)]

    assert statuses == [200] * (LIMIT - 1) + [429]
    # Logged out, and the password is refused from here as well.
    assert "_auth_user_id" not in client.session
    assert log_in(client, editor).status_code == 429
    assert (
        AccessAttempt.objects.get(username="edna", ip_address=OFFICE).failures_since_start >= LIMIT
    )


def test_the_pause_is_for_that_address_only(client, editor, enrol):
    device, _codes = enrol(editor)
    log_in(client, editor, ip=ELSEWHERE)
    for _ in range(LIMIT):
        give_code(client, wrong_code(device), ip=ELSEWHERE)
    let_the_device_throttle_pass()

    office = Client()
    assert log_in(office, editor, ip=OFFICE).status_code == 302
    response = give_code(office, app_code(device, 1), ip=OFFICE)

    assert response.status_code == 302
    assert admin_opens(office)


def test_logging_in_again_does_not_forget_the_wrong_codes(client, editor, enrol):
    device, _codes = enrol(editor)
    statuses = []
    for _ in range(LIMIT):
        log_in(client, editor)
        statuses.append(give_code(client, wrong_code(device)).status_code)
        client.post(reverse("admin:logout"))
        let_the_device_throttle_pass()

    assert statuses[-1] == 429
    assert log_in(client, editor).status_code == 429


def test_wrong_passwords_and_wrong_codes_count_together(client, editor, enrol):
    device, _codes = enrol(editor)
    for n in range(LIMIT - 1):
        client.post(
            reverse("admin:login"),
            {"username": "edna", "password": f"typo-{n}", "next": "/admin/"},
            REMOTE_ADDR=OFFICE,
        )
    log_in(client, editor)

    assert give_code(client, wrong_code(device)).status_code == 429


def test_a_complete_login_starts_the_count_again(client, editor, enrol):
    device, _codes = enrol(editor)
    log_in(client, editor)
    for _ in range(LIMIT - 1):
        give_code(client, wrong_code(device))
    let_the_device_throttle_pass()
    assert give_code(client, app_code(device, 1)).status_code == 302

    assert not AccessAttempt.objects.filter(username="edna", ip_address=OFFICE).exists()


def test_quick_guesses_are_slowed_on_the_device_too(client, editor, enrol, settings):
    # A minute after the first wrong code (one second by default), for a slow test machine.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device, _codes = enrol(editor)
    log_in(client, editor)
    give_code(client, wrong_code(device))

    # Even the right code waits a moment after a wrong one (django-otp's throttle).
    response = give_code(client, app_code(device, 1))

    assert response.status_code == 200
    assert re.search(r"wait \d+ seconds?, then type the newest code", response.content.decode())
    let_the_device_throttle_pass()
    assert give_code(client, app_code(device, 1)).status_code == 302


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:x"]
)
def test_the_code_page_never_sends_the_user_to_another_site(client, editor, enrol, target):
    device, _codes = enrol(editor)
    log_in(client, editor)

    response = give_code(client, app_code(device, 1), next_url=target)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


@pytest.mark.parametrize(
    "junk", ["", "   ", "abcdef", "1" * 100, "12345", "１２３４５６", "12 34 56 78", "\x00" * 6]
)
def test_junk_codes_are_refused_without_a_server_error(client, editor, enrol, junk):
    enrol(editor)
    log_in(client, editor)

    response = give_code(client, junk)

    assert response.status_code == 200
    assert "_auth_user_id" in client.session
    assert not admin_opens(client)


def test_staff_without_a_second_factor_log_in_as_before(client, author_user):
    response = log_in(client, author_user)

    assert response.status_code == 302
    assert admin_opens(client)


def test_a_story_stays_unchanged_by_a_session_owing_its_code(client, editor, enrol, draft_article):
    enrol(editor)
    log_in(client, editor)

    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_selected", "_selected_action": [draft_article.pk], "index": 0},
    )

    assert response.status_code == 302
    draft_article.refresh_from_db()
    assert draft_article.status == Article.Status.DRAFT
