"""Helpers for the two-factor tests: codes computed as an authenticator app would, logins."""

from urllib.parse import urlencode

from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "changeme"  # tests.helpers.staff()
OFFICE = "203.0.113.10"
ELSEWHERE = "198.51.100.66"


def app_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """Return the code an authenticator app with *device*'s secret shows (*steps_ahead* later).

    A code is accepted once, so a second login in the same 30 seconds types the next one,
    which the device accepts too (one step either side of now).
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """Return six digits that none of the codes the device accepts now is."""
    accepted = {app_code(device, steps) for steps in (-1, 0, 1, 2)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


def log_in(client, user, ip: str = OFFICE, next_url: str = "/admin/"):
    """Log *user* in through the admin's login form, with the password only."""
    return client.post(
        reverse("admin:login"),
        {"username": user.get_username(), "password": PASSWORD, "next": next_url},
        REMOTE_ADDR=ip,
    )


def give_code(client, code: str, ip: str = OFFICE, next_url: str = "/admin/"):
    return client.post(
        reverse("twofactor:verify"), {"code": code, "next": next_url}, REMOTE_ADDR=ip
    )


def verify_url(next_url: str) -> str:
    return f"{reverse('twofactor:verify')}?{urlencode({'next': next_url})}"


def setup_url(next_url: str) -> str:
    return f"{reverse('twofactor:overview')}?{urlencode({'next': next_url})}"


def admin_opens(client) -> bool:
    """Return whether an admin page opens for *client*'s session (rather than redirecting)."""
    return client.get(reverse("admin:password_change")).status_code == 200
