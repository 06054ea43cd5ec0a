"""Two-factor authentication in Chromium: set up an authenticator app, then log in with it.

The test is the phone: it reads the key the set-up page shows as text and computes the codes
(RFC 6238) in Python, as an authenticator app would.
"""

import base64
import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, blocking_violations, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def code_from(secret_text: str, steps_ahead: int = 0) -> str:
    """Return the six-digit code for the key as the page shows it ("ABCD EFGH …")."""
    key = base64.b32decode(secret_text.replace(" ", ""))
    return f"{TOTP(key, drift=steps_ahead).token():06d}"


def set_up_app(page) -> str:
    """From the two-factor page, set up an app; return the key as the page shows it."""
    page.get_by_role("button", name="Set up").click()
    qr_code = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr_code).to_be_visible()
    # The data: image drew (the Content-Security-Policy allows it).
    assert qr_code.evaluate("img => img.naturalWidth") > 100
    secret = page.locator("#twofactor-secret").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret)
    assert blocking_violations(page) == []
    page.get_by_label("Code").fill(code_from(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    expect(page.locator("#twofactor-backup-codes li")).to_have_count(10)
    return secret


def password_step(page, username: str) -> None:
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_author_sets_up_an_authenticator_app_and_logs_in_with_it(new_page, roles_users):
    page = new_page("author")
    log_in(page, "arthur")

    page.get_by_role("link", name="Two-factor authentication").click()
    expect(page.get_by_text("Off.")).to_be_visible()
    secret = set_up_app(page)
    backup_code = page.locator("#twofactor-backup-codes li").first.inner_text()
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_text("On.")).to_be_visible()
    assert TOTPDevice.objects.get(user=roles_users["arthur"]).confirmed

    page.get_by_role("button", name="Log out").click()
    password_step(page, "arthur")
    page.wait_for_url("**/admin/two-factor/verify/?next=%2Fadmin%2F")
    # Nothing of the admin before the code: straight back to the code page.
    page.goto("/admin/articles/article/")
    page.wait_for_url("**/admin/two-factor/verify/**")
    assert blocking_violations(page) == []
    # A code is good once; the app's next one is accepted too.
    page.get_by_label("Code").fill(code_from(secret, steps_ahead=1))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/articles/article/")
    expect(page.locator("#user-tools")).to_contain_text("Welcome")

    # And once more with a backup code instead of the app.
    page.get_by_role("button", name="Log out").click()
    password_step(page, "arthur")
    page.get_by_label("Code").fill(backup_code)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    expect(page.locator(".messagelist")).to_contain_text("9 are left")


def test_editor_must_set_it_up_before_any_admin_page_when_required(new_page, roles_users, settings):
    # The live server runs in this process: the setting holds for it too.
    settings.NEWSROOM_2FA_REQUIRED = True
    page = new_page("editor")

    password_step(page, "edna")
    page.wait_for_url("**/admin/two-factor/?next=%2Fadmin%2F")
    expect(page.get_by_text("Your role requires two-factor authentication")).to_be_visible()
    page.goto("/admin/articles/article/add/")
    page.wait_for_url("**/admin/two-factor/?next=**")

    set_up_app(page)
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url("**/admin/articles/article/add/")
    expect(page.get_by_label("Title")).to_be_visible()
