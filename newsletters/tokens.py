"""The signed links of the newsletter emails: confirm, preferences, unsubscribe.

Each is ``django.core.signing`` with a salt of its own (a token for one purpose opens nothing
else) and names the subscriber by id, never by address: signed values are readable, and
links end up in logs and browser histories, where an address has no business. Only the
confirmation expires; preferences and unsubscribe links keep working as long as an email
is read. A subscriber who unsubscribed is deleted, so their old links name nobody.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

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


def url(purpose: str, subscriber_id: int) -> str:
    """Return the absolute link for *purpose* to subscriber *subscriber_id*."""
    return absolute_url(reverse(ROUTES[purpose], args=[make(purpose, subscriber_id)]))


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
