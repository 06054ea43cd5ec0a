"""How often one client may sign addresses up, and whether a form post came from our pages.

Sign-ups are counted per client in the shared cache (``serving.rate_limits``): at most
``NEWSLETTER_SIGNUP_RATE_LIMIT_COUNT`` in a fixed window of
``NEWSLETTER_SIGNUP_RATE_LIMIT_PERIOD`` seconds. That, and at most one sign-up email per
address an hour (``newsletters.mail``), keep the form from being used to flood mailboxes.
"""

from django.conf import settings
from django.utils.crypto import salted_hmac

from serving import rate_limits
from serving.clients import client_ip, client_network
from serving.rate_limits import RateLimit

RATE_KEY = "newsletters:signup:{client}"


def client_of(request) -> str:
    """Return who *request* counts as: its address (an IPv6 one as its /64), hashed.

    An IPv6 subscriber may use any address of its /64 for each request, so one address
    alone would open an unlimited budget. Hashed, so that no address is kept in the cache.
    """
    address = client_network(client_ip(request))
    return salted_hmac("newsletters.signup.client", address).hexdigest()[:24]


def signup_hit(request, *, now: float | None = None) -> RateLimit:
    """Count one sign-up from *request*'s client and say whether it is within the limit."""
    return rate_limits.hit(
        RATE_KEY.format(client=client_of(request)),
        limit=settings.NEWSLETTER_SIGNUP_RATE_LIMIT_COUNT,
        period=settings.NEWSLETTER_SIGNUP_RATE_LIMIT_PERIOD,
        name="Newsletter sign-up rate limit",
        now=now,
    )


def from_our_pages(request) -> bool:
    """Return whether the browser says this POST was sent by a page of this site.

    ``Sec-Fetch-Site`` (every current browser sends it, and no page can forge it) must say
    ``same-origin``; a browser without it must send an ``Origin`` that is the site's own
    (``DJANGO_SITE_URL``, or one of ``DJANGO_CSRF_TRUSTED_ORIGINS``). A request with neither
    is not taken for ours.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    return origin.rstrip("/").lower() in {
        settings.SITE_URL.lower(),
        *(trusted.rstrip("/").lower() for trusted in settings.CSRF_TRUSTED_ORIGINS),
    }
