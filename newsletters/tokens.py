"""The signed links of the newsletter emails: confirm, preferences, unsubscribe.

Each is ``django.core.signing`` with a salt of its own (a token for one purpose opens nothing
else) and names the subscriber by id, never by address: signed values are readable, and
links end up in logs and browser histories, where an address has no business. Only the
confirmation expires; preferences and unsubscribe links keep working as long as an email
is read. A subscriber who unsubscribed is deleted, so their old links name nobody. Links are
under the subscriber's language's prefix (``/ru/newsletter/…``): its pages speak it.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

from newsletters.models import Subscriber
from serving.origin import absolute_url

CONFIRM = "newsletters.confirm"
PREFERENCES = "newsletters.preferences"
UNSUBSCRIBE = "newsletters.unsubscribe"

ROUTES = {
    CONFIRM: "newsletters:confirm",
    PREFERENCES: "newsletters:preferences",
    UNSUBSCRIBE: "newsletters:unsubscribe",
}


class Gone(Exception):
    """A valid link whose subscriber no longer exists (unsubscribed, or never confirmed)."""


def make(purpose: str, subscriber_id: int) -> str:
    return signing.dumps({"s": subscriber_id}, salt=purpose, compress=False)


def path(purpose: str, token: str, language: str | None = None) -> str:
    """Return the address of *token*'s page under *language*'s prefix (the active one's)."""
    with translation.override(language or translation.get_language()):
        return reverse(ROUTES[purpose], args=[token])


def url(purpose: str, subscriber_id: int, *, language: str | None = None) -> str:
    """Return the absolute link for *purpose* to subscriber *subscriber_id*, its page in
    *language* (the subscriber's; the active language when not given)."""
    return absolute_url(path(purpose, make(purpose, subscriber_id), language))


def subscriber_id(purpose: str, token: str) -> int:
    """Return the subscriber id a token names; raise signing.BadSignature if it is not ours.

    An expired confirmation raises ``signing.SignatureExpired`` (a BadSignature).
    """
    max_age = timedelta(days=settings.NEWSLETTER_CONFIRM_DAYS) if purpose == CONFIRM else None
    payload = signing.loads(token, salt=purpose, max_age=max_age)
    found = payload.get("s") if isinstance(payload, dict) else None
    if not isinstance(found, int) or isinstance(found, bool):
        raise signing.BadSignature("The token names no subscriber.")
    return found


def subscriber(purpose: str, token: str) -> Subscriber:
    """Return the subscriber a token names; raise BadSignature, or Gone if they left."""
    found = Subscriber.objects.filter(pk=subscriber_id(purpose, token)).first()
    if found is None:
        raise Gone
    return found
