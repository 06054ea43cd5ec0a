"""Fixtures for the two-factor tests (helpers in tests/twofactor/helpers.py)."""

from collections.abc import Callable

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.twofactor.helpers import app_code
from twofactor import services


@pytest.fixture
def enrol() -> Callable[..., tuple[TOTPDevice, list[str]]]:
    """Return ``enrol(user)``: set up an authenticator app for *user*, with backup codes."""

    def enrol_(user) -> tuple[TOTPDevice, list[str]]:
        device = services.totp_enrolment_start(user=user)
        codes = services.totp_enrolment_confirm(device=device, code=app_code(device))
        assert codes is not None
        device.refresh_from_db()
        return device, codes

    return enrol_
