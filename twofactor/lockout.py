"""Wrong second-factor codes count as failed logins, with django-axes.

A wrong code is a failed login for that username from that address, counted together with
the wrong passwords (``AXES_FAILURE_LIMIT`` for both): at the limit the pair is paused for
the cool-off time, the half-logged-in session is logged out and the lockout page answers,
as after wrong passwords. django-otp's own throttle (waits that double with each wrong code
on the device, from any address) stays on as well: it slows guessing spread over many
addresses, which a count per address cannot see.

The count starts again only once a login is complete: after the password for staff without
a second factor, after the code for the others. axes' own ``AXES_RESET_ON_SUCCESS`` would
start it again after the password alone, and whoever has the password could then guess codes
without end (log in, four guesses, log in again); ``twofactor.checks`` keeps it off.
"""

# axes' settings module: Django's settings with axes' defaults filled in.
from axes.conf import settings
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed

from twofactor.policy import has_second_factor


def credentials(user) -> dict:
    """Return the credentials axes counts a code for: the username, as its login form has it."""
    return {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}


def is_locked_out(request, user) -> bool:
    """Return whether logins as *user* from this request's address are paused."""
    return settings.AXES_ENABLED and not AxesProxyHandler.is_allowed(request, credentials(user))


def count_failure(request, user) -> bool:
    """Count a wrong code as a failed login; return whether it paused the pair."""
    user_login_failed.send(sender=__name__, credentials=credentials(user), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def forget_failures(request, user) -> None:
    """Start the count of failed logins as *user* from this address again.

    Exactly what axes' own reset on success deletes: the attempts matching this request and
    username by ``AXES_LOCKOUT_PARAMETERS`` (the pair, never the username everywhere).
    """
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.get_implementation().reset_user_attempts(request, credentials(user))


def locked_out(request, user):
    """Log the session out and answer the "too many failed logins" page (429)."""
    user_credentials = credentials(user)
    logout(request)
    return get_lockout_response(request, credentials=user_credentials)


def forget_failures_after_password(sender, request, user, **kwargs) -> None:
    """End the count at the password when that completes the login (no second factor)."""
    if request is not None and settings.AXES_ENABLED and not has_second_factor(user):
        forget_failures(request, user)


def connect() -> None:
    user_logged_in.connect(forget_failures_after_password, dispatch_uid="twofactor-lockout")


def forget_all_failures(user) -> None:
    """Lift every lockout of *user*'s username, from any address."""
    AxesProxyHandler.reset_attempts(username=user.get_username())
