"""Set up, use and turn off a second factor: an authenticator app (TOTP) and backup codes.

The views and the ``twofactor_reset`` command call these functions; every change, and every
backup code used, writes an audit entry (``audit.log``). django-otp keeps the devices:
``TOTPDevice`` for the app (its secret; a code is accepted once, within a step either side
of now) and one ``StaticDevice`` per user holding the unused backup codes.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import log
from twofactor import lockout

BACKUP_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
# An authenticator app shows six digits; a backup code is eight base32 letters
# (StaticToken.random_token). Anything else is wrong without asking the database.
APP_CODE = re.compile(r"[0-9]{6}")
BACKUP_CODE = re.compile(r"[a-z2-7]{8}")


@dataclass(frozen=True)
class Check:
    """The outcome of a code: the device that accepted it, or none."""

    device: Device | None = None
    # A backup code was used: how many are left.
    backup_codes_left: int | None = None
    # No device looked at the code: too many wrong ones in a row, until then.
    retry_at: datetime | None = None


def normalize(code: str) -> str:
    """Return *code* as stored: without spaces or hyphens, in lower case."""
    return re.sub(r"[\s-]+", "", code).lower()


def second_factor_check(*, user, code: str) -> Check:
    """Return which of *user*'s devices accepts *code*; an accepted code is used up."""
    code = normalize(code)
    if APP_CODE.fullmatch(code):
        model = TOTPDevice
    elif BACKUP_CODE.fullmatch(code):
        model = StaticDevice
    else:
        return Check()
    retry_at = None
    with transaction.atomic():
        # Locked rows: two requests with one code cannot both be accepted.
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            allowed, refusal = device.verify_is_allowed()
            if not allowed:
                retry_at = (refusal or {}).get("locked_until")
                continue
            if device.verify_token(code):
                break
        else:
            return Check(retry_at=retry_at)
        if model is not StaticDevice:
            return Check(device=device)
        left = device.token_set.count()
        log.record(log.Action.BACKUP_CODE_USED, actor=user, obj=user, details={"left": left})
    return Check(device=device, backup_codes_left=left)


def totp_enrolment_pending(user) -> TOTPDevice | None:
    """Return the authenticator app *user* is setting up (not confirmed yet), if any."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("-pk").first()


def totp_enrolment_start(*, user) -> TOTPDevice:
    """Make a new secret for *user* to set up, in place of any earlier unconfirmed one."""
    with transaction.atomic():
        TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def totp_enrolment_confirm(*, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm *device* with its current *code* and return new backup codes; None if wrong.

    The confirmed app replaces any earlier one of its user (a new phone), and the backup
    codes replace earlier ones.
    """
    code = normalize(code)
    if not APP_CODE.fullmatch(code):
        return None
    user = device.user
    with transaction.atomic():
        if not device.verify_token(code):
            # Whoever sets the app up holds its secret already: making them wait after a
            # typo would protect nothing.
            device.throttle_reset()
            return None
        replaced, _ = (
            TOTPDevice.objects.devices_for_user(user, confirmed=True).exclude(pk=device.pk).delete()
        )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_backup_codes(user)
        log.record(
            log.Action.TWO_FACTOR_ENABLED,
            actor=user,
            obj=user,
            details={"replaced": bool(replaced)},
        )
    return codes


def backup_codes_renew(*, user) -> list[str]:
    """Replace *user*'s backup codes with new ones and return them."""
    with transaction.atomic():
        codes = _replace_backup_codes(user)
        log.record(log.Action.BACKUP_CODES_CREATED, actor=user, obj=user)
    return codes


def second_factor_disable(*, user, by) -> None:
    """Remove *user*'s authenticator app and backup codes: the password alone logs in again."""
    with transaction.atomic():
        _delete_devices(user)
        log.record(log.Action.TWO_FACTOR_DISABLED, actor=by, obj=user)


def second_factor_reset(*, user) -> None:
    """Remove *user*'s second factor and lift their lockouts, for the administrator on duty.

    The next login asks for the password only, or, where a second factor is required,
    leads to setting up a new one.
    """
    with transaction.atomic():
        _delete_devices(user)
        lockout.forget_all_failures(user)
        log.record(log.Action.TWO_FACTOR_RESET, obj=user, details={"via": "twofactor_reset"})


def _replace_backup_codes(user) -> list[str]:
    # The same device with new codes: a session logged in with a backup code stays so.
    devices = StaticDevice.objects.filter(user=user).order_by("pk")
    device = devices.first() or StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME)
    devices.exclude(pk=device.pk).delete()
    StaticToken.objects.filter(device__user=user).delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _delete_devices(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
