"""The administrator on duty resets a second factor: a lost phone, no backup codes left."""

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from tests.twofactor.helpers import OFFICE, admin_opens, give_code, log_in, wrong_code
from twofactor.checks import failed_codes_survive_the_password


def test_reset_removes_the_second_factor_and_lifts_the_lockout(client, editor, enrol, settings):
    device, _codes = enrol(editor)
    log_in(client, editor)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        give_code(client, wrong_code(device))
    assert log_in(client, editor).status_code == 429

    call_command("twofactor_reset", "edna")

    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not StaticDevice.objects.filter(user=editor).exists()
    assert not AccessAttempt.objects.filter(username="edna", ip_address=OFFICE).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TWO_FACTOR_RESET)
    assert entry.actor is None and entry.object_repr == "edna"
    assert log_in(client, editor).status_code == 302
    assert admin_opens(client)


def test_reset_where_required_leads_to_setting_up_again(client, editor, enrol, settings):
    settings.NEWSROOM_2FA_REQUIRED = True
    enrol(editor)

    call_command("twofactor_reset", "edna")
    log_in(client, editor)

    assert client.get("/admin/")["Location"].startswith("/admin/two-factor/?next=")


def test_reset_of_an_unknown_user_says_so(db):
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        call_command("twofactor_reset", "nobody")


def test_axes_resetting_on_the_password_alone_is_refused():
    assert failed_codes_survive_the_password(None) == []
    with override_settings(AXES_RESET_ON_SUCCESS=True):
        assert [error.id for error in failed_codes_survive_the_password(None)] == ["twofactor.E001"]
