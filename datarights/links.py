"""The link a reader's "Your data" email carries: signed, for one hour, naming the request.

``django.core.signing`` with a salt of its own (a token of another purpose opens nothing here)
and a timestamp checked against :data:`MAX_AGE`. The token names the request by number: the
address waits in the request's row for as long as the link works (``datarights.models``).
It also carries the start of the address's keyed hash, which must match the row's: a token
opens the data of the address it was sent to, and nothing else, whatever becomes of ids.
"""

from datetime import timedelta

from django.core import signing
from django.urls import reverse
from django.utils import translation

from datarights.inventory import address_hash
from datarights.models import DataRequest
from serving.origin import absolute_url

SALT = "datarights.link"
MAX_AGE = timedelta(hours=1)


class Gone(Exception):
    """A genuine link whose request is no more: its data was erased, or it was forgotten."""


def _bond(data_request: DataRequest) -> str:
    return address_hash(data_request.email)[:16]


def make(data_request: DataRequest) -> str:
    payload = {"r": data_request.pk, "a": _bond(data_request)}
    return signing.dumps(payload, salt=SALT, compress=False)


def url(data_request: DataRequest) -> str:
    """Return the link's address, under the prefix of the language the request was made in."""
    with translation.override(data_request.language):
        return absolute_url(reverse("datarights:data", args=[make(data_request)]))


def open_link(token: str) -> DataRequest:
    """Return the request *token* names.

    Raise ``signing.SignatureExpired`` after an hour, ``signing.BadSignature`` for anything
    not made here, and :class:`Gone` when the request is no longer stored.
    """
    payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    request_id = payload.get("r") if isinstance(payload, dict) else None
    if not isinstance(request_id, int) or isinstance(request_id, bool):
        raise signing.BadSignature("The token names no request.")
    data_request = DataRequest.objects.filter(pk=request_id).first()
    if data_request is None or payload.get("a") != _bond(data_request):
        raise Gone
    return data_request
