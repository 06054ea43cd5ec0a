"""The second factor's admin pages: status and set-up, backup codes, and the login's code page.

Every page is wrapped in ``admin_site.admin_view`` (staff only, never cached, CSRF) in
``twofactor.urls``. ``twofactor.middleware`` keeps a session that still owes its code on the
code page, so the other pages only ever see staff whose login is complete, or who have no
second factor yet.
"""

import math
from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.contrib import admin, messages
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from twofactor import lockout, services
from twofactor.forms import CodeForm
from twofactor.policy import has_second_factor, two_factor_required

# The backup codes just made, kept in the session only until their page has shown them.
NEW_CODES_SESSION_KEY = "twofactor_new_backup_codes"


def next_url(request) -> str:
    """Return the page to go on to (``next``) if it is a path on this site, else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path only, never an address: no host is allowed at all.
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=set()):
        return target
    return ""


def with_next(url: str, request) -> str:
    """Return *url* passing the request's ``next`` on, if it has a valid one."""
    target = next_url(request)
    return f"{url}?{urlencode({'next': target})}" if target else url


def render_page(request, template: str, context: dict):
    context = {
        **admin.site.each_context(request),
        "title": gettext("Two-factor authentication"),
        "next": next_url(request),
        **context,
    }
    return TemplateResponse(request, template, context)


def complete_login(request, device) -> None:
    """Mark the session as logged in with *device* too, under a new session key."""
    otp_login(request, device)
    # As at the password: a session that is worth more gets a key (and a CSRF token) nobody
    # has seen before.
    request.session.cycle_key()
    rotate_token(request)


def refusal(check: services.Check) -> str:
    if check.retry_at is not None:
        # django-otp's wait doubles with each wrong code in a row on this account.
        seconds = max(1, math.ceil((check.retry_at - timezone.now()).total_seconds()))
        if seconds < 120:
            return ngettext(
                "There were several wrong codes in a row: wait %(n)d second, then type the "
                "newest code.",
                "There were several wrong codes in a row: wait %(n)d seconds, then type the "
                "newest code.",
                seconds,
            ) % {"n": seconds}
        minutes = math.ceil(seconds / 60)
        return ngettext(
            "There were many wrong codes in a row: wait %(n)d minute, then type the newest code.",
            "There were many wrong codes in a row: wait %(n)d minutes, then type the newest code.",
            minutes,
        ) % {"n": minutes}
    return gettext(
        "That code is not right. Type the code your authenticator app shows now, or one of "
        "your backup codes."
    )


@require_http_methods(["GET", "POST"])
def verify(request):
    """Ask for the second step of a login: a code from the app, or a backup code."""
    user = request.user
    target = next_url(request) or reverse("admin:index")
    if user.is_verified() or not has_second_factor(user):
        return redirect(target)
    if lockout.is_locked_out(request, user):
        return lockout.locked_out(request, user)
    form = CodeForm(request.POST) if request.method == "POST" else CodeForm()
    if form.is_bound and form.is_valid():
        check = services.second_factor_check(user=user, code=form.cleaned_data["code"])
        if check.device is not None:
            complete_login(request, check.device)
            lockout.forget_failures(request, user)
            if check.backup_codes_left is not None:
                messages.warning(request, backup_codes_left_message(check.backup_codes_left))
            return redirect(target)
        if lockout.count_failure(request, user):
            return lockout.locked_out(request, user)
        form.add_error("code", refusal(check))
    return render_page(request, "twofactor/verify.html", {"form": form})


def backup_codes_left_message(left: int) -> str:
    return ngettext(
        "You logged in with a backup code: %(left)d is left. Make new ones on the "
        "two-factor authentication page.",
        "You logged in with a backup code: %(left)d are left. Make new ones on the "
        "two-factor authentication page when they run low.",
        left,
    ) % {"left": left}


def overview_page(request, disable_form=None):
    user = request.user
    context = {
        "device": TOTPDevice.objects.devices_for_user(user, confirmed=True).first(),
        "required": two_factor_required(user),
        "backup_codes_left": StaticToken.objects.filter(device__user=user).count(),
        "disable_form": disable_form or CodeForm(auto_id="id_disable_%s"),
    }
    return render_page(request, "twofactor/overview.html", context)


@require_http_methods(["GET"])
def overview(request):
    """Show whether two-factor authentication is on, and what can be done about it."""
    return overview_page(request)


@require_POST
def setup_start(request):
    """Make a new secret to set up (the first, or for a new phone) and show it."""
    services.totp_enrolment_start(user=request.user)
    return redirect(with_next(reverse("twofactor:setup"), request))


@require_http_methods(["GET", "POST"])
def setup(request):
    """Show the secret being set up (QR code and text) and confirm it with a first code."""
    device = services.totp_enrolment_pending(request.user)
    if device is None:
        return redirect(with_next(reverse("twofactor:overview"), request))
    form = CodeForm(request.POST) if request.method == "POST" else CodeForm()
    if form.is_bound and form.is_valid():
        codes = services.totp_enrolment_confirm(device=device, code=form.cleaned_data["code"])
        if codes is not None:
            complete_login(request, device)
            request.session[NEW_CODES_SESSION_KEY] = codes
            messages.success(request, gettext("Two-factor authentication is on."))
            return redirect(with_next(reverse("twofactor:backup-codes"), request))
        form.add_error(
            "code",
            gettext(
                "That is not the code your app shows for this key. Check that the key was "
                "added exactly as shown and that the phone's clock is right, then type the "
                "newest code."
            ),
        )
    context = {
        "form": form,
        "qr_code": qr_code(device),
        "secret": secret_text(device),
        "account": device.user.get_username(),
    }
    return render_page(request, "twofactor/setup.html", context)


def secret_text(device: TOTPDevice) -> str:
    """Return the secret as authenticator apps take it typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code(device: TOTPDevice) -> str:
    """Return the QR code of the secret's otpauth:// address, as an SVG data: URI.

    An image, not inline SVG markup or a script: the admin's Content-Security-Policy allows
    data: images. Dark on white whatever the admin's colour theme, as scanners expect.
    """
    return segno.make_qr(device.config_url, error="m").svg_data_uri(
        scale=5, border=4, dark="#000", light="#fff"
    )


@require_http_methods(["GET", "POST"])
def backup_codes(request):
    """Make new backup codes (POST), or show the ones just made, once (GET)."""
    if request.method == "POST":
        if not has_second_factor(request.user):
            return redirect("twofactor:overview")
        request.session[NEW_CODES_SESSION_KEY] = services.backup_codes_renew(user=request.user)
        messages.success(request, gettext("New backup codes made; the old ones no longer work."))
        return redirect("twofactor:backup-codes")
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect(with_next(reverse("twofactor:overview"), request))
    # Shown as "abcd efgh"; typed either way (services.normalize).
    shown = [f"{code[:4]} {code[4:]}" for code in codes]
    return render_page(request, "twofactor/backup_codes.html", {"codes": shown})


@require_POST
def disable(request):
    """Turn two-factor authentication off, given a current code, where it is not required."""
    user = request.user
    if two_factor_required(user):
        messages.error(request, gettext("Your role requires two-factor authentication."))
        return redirect("twofactor:overview")
    if not has_second_factor(user):
        return redirect("twofactor:overview")
    if lockout.is_locked_out(request, user):
        return lockout.locked_out(request, user)
    form = CodeForm(request.POST, auto_id="id_disable_%s")
    if form.is_valid():
        check = services.second_factor_check(user=user, code=form.cleaned_data["code"])
        if check.device is not None:
            services.second_factor_disable(user=user, by=user)
            messages.success(request, gettext("Two-factor authentication is off."))
            return redirect("twofactor:overview")
        if lockout.count_failure(request, user):
            return lockout.locked_out(request, user)
        form.add_error("code", refusal(check))
    return overview_page(request, disable_form=form)
