"""Admin login brute-force protection: django-axes, wired for this project.

django-axes counts failed logins per username and IP address and refuses that pair for a
cool-off time once the limit is reached (settings ``AXES_*``). Its backend needs the request
to know the address; only the admin login form and the test client call ``authenticate()``
here, and the test client passes no request. Rather than fail there, this backend steps aside
when there is no request: no client to lock out, and ``ModelBackend`` still checks the
password.
"""

import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit
from django.contrib import admin
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers


class LoginLockoutBackend(AxesStandaloneBackend):
    """Refuse a locked-out username and address before any password is checked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """Render the "too many failed logins" page: 429, when to try again, never cached.

    The page is the same whatever the username, existing or not.
    """
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    context = {
        **admin.site.each_context(request),
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": minutes,
    }
    response = render(request, "admin/locked_out.html", context, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    add_never_cache_headers(response)
    return response
