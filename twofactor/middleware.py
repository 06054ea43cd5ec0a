"""Keep staff who owe a second factor out of the admin until they give it.

Installed after django-otp's ``OTPMiddleware``, which tells whether this session's login was
completed with a code (``request.user.is_verified()``). A staff session that was not:

- with an authenticator app set up, is sent from every admin page to the code page
  (``?next=`` keeps the page asked for), except logout;
- without one, where ``policy.two_factor_required()`` says it needs one, is sent from every
  admin page to the set-up page, except the set-up pages themselves and logout.

Requests that would change something are sent there too, unanswered, so nothing changes.
Outside the admin such a session counts as anonymous: a password alone opens no draft
preview either. Everyone else passes untouched.
"""

import functools
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from twofactor.policy import has_second_factor, two_factor_required

VERIFY_PAGES = ("twofactor:verify", "admin:logout")
SETUP_PAGES = (
    "twofactor:overview",
    "twofactor:setup-start",
    "twofactor:setup",
    "twofactor:backup-codes",
    "admin:logout",
)


def owes_second_factor(user) -> bool:
    """Return whether *user*'s session has to give a code, or set up a second factor, first."""
    if not user.is_authenticated or user.is_verified():
        return False
    return has_second_factor(user) or two_factor_required(user)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(reverse("admin:index")):
            response = self.hold(request)
            if response is not None:
                return response
        else:
            # Lazily, as the user itself is: reader pages must not read the session for it.
            request.user = SimpleLazyObject(functools.partial(outside_admin, request.user))
        return self.get_response(request)

    def hold(self, request):
        """Return the redirect to the code or set-up page if this session owes one."""
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return None  # the admin's own login page handles these
        if user.is_verified():
            return None
        if has_second_factor(user):
            target, open_pages = "twofactor:verify", VERIFY_PAGES
        elif two_factor_required(user):
            target, open_pages = "twofactor:overview", SETUP_PAGES
        else:
            return None
        if request.path in {reverse(name) for name in open_pages}:
            return None
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def outside_admin(user):
    if not owes_second_factor(user):
        return user
    anonymous = AnonymousUser()
    # As django-otp's middleware equips every user.
    anonymous.otp_device = None
    anonymous.is_verified = lambda: False
    return anonymous
