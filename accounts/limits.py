"""How often a password reset may be asked for: per client on the form, per account in the mail.

The form's limit stops one client from flooding the queue (and, through it, mailboxes); the
account's stops many clients from flooding one person's mailbox. Both allow
``PASSWORD_RESET_RATE_LIMIT_COUNT`` in a fixed window of ``PASSWORD_RESET_RATE_LIMIT_PERIOD``
seconds, counted in the shared cache (``serving.rate_limits``: every app process and worker
counts together). While the cache is unreachable nothing is refused: a locked-out person
matters more than a few extra emails. The form says the same to everyone
who went past its limit, whatever address they typed.
"""

from django.conf import settings
from django.utils.crypto import salted_hmac

from serving import rate_limits
from serving.clients import client_ip, client_network
from serving.rate_limits import RateLimit

RATE_KEY = "accounts:reset:{who}"


def hit(who: str, *, now: float | None = None) -> RateLimit:
    """Count one password reset for *who* and say whether it is within the limit."""
    return rate_limits.hit(
        RATE_KEY.format(who=who),
        limit=settings.PASSWORD_RESET_RATE_LIMIT_COUNT,
        period=settings.PASSWORD_RESET_RATE_LIMIT_PERIOD,
        name="Password reset rate limit",
        now=now,
    )


def client_of(request) -> str:
    """Return who *request* counts as: its client's address (an IPv6 one as its /64), hashed.

    An IPv6 subscriber may pick any address of its /64 for each request, so one address
    alone would open an unlimited budget. Hashed, so that no address is kept in the cache.
    """
    address = client_network(client_ip(request))
    return "client:" + salted_hmac("accounts.reset.client", address).hexdigest()[:24]


def account_of(user) -> str:
    return f"account:{user.pk}"
