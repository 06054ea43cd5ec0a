"""Setting up an authenticator app: QR code and key, a first code, backup codes shown once."""

import base64
import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from tests.twofactor.helpers import admin_opens, app_code, give_code, log_in, wrong_code

Action = AuditEntry.Action


def start_setup(client):
    response = client.post(reverse("twofactor:setup-start"))
    assert response.status_code == 302
    assert response["Location"] == reverse("twofactor:setup")
    return client.get(response["Location"])


def secret_on(page) -> str:
    """Return the key as the page shows it for typing in, spaces and all."""
    match = re.search(r'id="twofactor-secret"[^>]*>([A-Z2-7 ]+)<', page.content.decode())
    assert match, "no key on the page"
    return match.group(1)


def confirm(client, code: str):
    return client.post(reverse("twofactor:setup"), {"code": code})


def test_the_account_menu_links_to_the_two_factor_page(editor_client):
    # (Django's own password change page has a menu of its own.)
    page = editor_client.get(reverse("admin:articles_article_changelist"))

    assert f'href="{reverse("twofactor:overview")}"' in page.content.decode()


def test_the_page_says_it_is_off_and_offers_to_set_it_up(editor_client):
    page = editor_client.get(reverse("twofactor:overview"))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Off." in text and "Set up" in text


def test_setting_up_shows_the_qr_code_and_the_same_key_as_text(editor_client, editor):
    page = start_setup(editor_client)

    device = TOTPDevice.objects.get(user=editor)
    assert not device.confirmed
    secret = secret_on(page)
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret)
    assert base64.b32decode(secret.replace(" ", "")) == device.bin_key
    # An image the Content-Security-Policy allows (img-src data:), with a text alternative.
    assert re.search(
        r'<img class="twofactor-qr" src="data:image/svg\+xml;[^"]+" alt="[^"]+"',
        page.content.decode(),
    )
    assert "no-store" in page["Cache-Control"]


def test_the_first_code_must_be_right_and_a_wrong_one_loses_nothing(editor_client, editor):
    page = start_setup(editor_client)
    device = TOTPDevice.objects.get(user=editor)

    wrong = confirm(editor_client, wrong_code(device))

    assert wrong.status_code == 200
    assert "That is not the code your app shows" in wrong.content.decode()
    assert secret_on(wrong) == secret_on(page)
    device.refresh_from_db()
    assert not device.confirmed
    assert not AuditEntry.objects.filter(action=Action.TWO_FACTOR_ENABLED).exists()

    right = confirm(editor_client, app_code(device))

    assert right.status_code == 302
    assert right["Location"] == reverse("twofactor:backup-codes")
    device.refresh_from_db()
    assert device.confirmed
    entry = AuditEntry.objects.get(action=Action.TWO_FACTOR_ENABLED)
    assert entry.actor == editor and entry.object_repr == "edna"


def test_the_session_that_sets_it_up_counts_as_logged_in_with_it(editor_client, editor):
    start_setup(editor_client)
    confirm(editor_client, app_code(TOTPDevice.objects.get(user=editor)))

    assert admin_opens(editor_client)


def test_backup_codes_are_shown_once(editor_client, editor):
    start_setup(editor_client)
    confirm(editor_client, app_code(TOTPDevice.objects.get(user=editor)))

    page = editor_client.get(reverse("twofactor:backup-codes"))

    shown = re.findall(r"<li><code>([a-z2-7]{4} [a-z2-7]{4})</code></li>", page.content.decode())
    stored = set(StaticToken.objects.filter(device__user=editor).values_list("token", flat=True))
    assert len(shown) == 10
    assert {code.replace(" ", "") for code in shown} == stored
    again = editor_client.get(reverse("twofactor:backup-codes"))
    assert again.status_code == 302
    assert again["Location"] == reverse("twofactor:overview")


def test_new_backup_codes_replace_the_old_ones(editor_client, editor, enrol):
    _device, old_codes = enrol(editor)
    # This session completed its login with the app (the test client's own enrolment).
    log_in(editor_client, editor)
    give_code(editor_client, old_codes[0])

    response = editor_client.post(reverse("twofactor:backup-codes"))
    page = editor_client.get(response["Location"])

    stored = set(StaticToken.objects.filter(device__user=editor).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & set(old_codes)
    assert page.status_code == 200 and "shown only once" in page.content.decode()
    assert AuditEntry.objects.filter(action=Action.BACKUP_CODES_CREATED, actor=editor).exists()


def test_a_new_phone_replaces_the_old_app_once_confirmed(client, editor, enrol):
    old, codes = enrol(editor)
    log_in(client, editor)
    give_code(client, codes[0])

    start_setup(client)
    # Until the new app is confirmed, the old one is still the one in use.
    assert TOTPDevice.objects.filter(user=editor, confirmed=True).get() == old
    new = TOTPDevice.objects.get(user=editor, confirmed=False)
    assert confirm(client, app_code(new)).status_code == 302

    assert list(TOTPDevice.objects.filter(user=editor)) == [new]
    assert AuditEntry.objects.get(
        action=Action.TWO_FACTOR_ENABLED, actor=editor, details={"replaced": True}
    )


def test_turning_it_off_needs_a_current_code(client, author_user, enrol):
    device, codes = enrol(author_user)
    log_in(client, author_user)
    give_code(client, codes[0])

    refused = client.post(reverse("twofactor:disable"), {"code": wrong_code(device)})
    assert refused.status_code == 200
    assert "That code is not right" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=author_user).exists()

    done = client.post(reverse("twofactor:disable"), {"code": codes[1]})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=author_user).exists()
    assert not StaticToken.objects.filter(device__user=author_user).exists()
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR_DISABLED, actor=author_user).exists()
    # The password alone logs in again.
    client.post(reverse("admin:logout"))
    log_in(client, author_user)
    assert admin_opens(client)


def test_it_cannot_be_turned_off_where_the_role_requires_it(client, editor, enrol, settings):
    settings.NEWSROOM_2FA_REQUIRED = True
    _device, codes = enrol(editor)
    log_in(client, editor)
    give_code(client, codes[0])

    page = client.get(reverse("twofactor:overview"))
    response = client.post(reverse("twofactor:disable"), {"code": codes[1]})

    assert "cannot be turned off" in page.content.decode()
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=editor, confirmed=True).exists()


def test_the_confirm_page_without_a_setup_in_progress_goes_back(editor_client):
    response = editor_client.get(reverse("twofactor:setup"))

    assert response.status_code == 302
    assert response["Location"] == reverse("twofactor:overview")


@pytest.mark.parametrize("junk", ["", "abcdef", "1" * 100, "１２３４５６", "\x00", "-1", "1e5"])
def test_junk_never_breaks_the_set_up_pages(editor_client, editor, enrol, junk):
    start_setup(editor_client)

    response = confirm(editor_client, junk)

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=editor, confirmed=True).exists()


@pytest.mark.parametrize("junk", ["", "abcdef", "1" * 100, "\x00"])
def test_junk_never_breaks_turning_it_off(client, author_user, enrol, junk):
    _device, codes = enrol(author_user)
    log_in(client, author_user)
    give_code(client, codes[0])

    response = client.post(reverse("twofactor:disable"), {"code": junk})

    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=author_user).exists()


def test_the_set_up_pages_are_for_staff_only(client, django_user_model):
    reader = django_user_model.objects.create_user("reader", password="changeme")
    client.force_login(reader)

    for name in ("twofactor:overview", "twofactor:setup", "twofactor:verify"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
