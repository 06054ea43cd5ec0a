from collections.abc import Callable, Iterator

import pytest

from tests.webhooks.receiver import Receiver
from webhooks.models import SUBSCRIBABLE, Endpoint


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """Start a partner's endpoint of this test's own on 127.0.0.1."""
    server = Receiver().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def loopback_allowed(settings):
    """Allow webhooks to 127.0.0.1, as an operator allows an internal network."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def make_endpoint(db, receiver, loopback_allowed) -> Callable[..., Endpoint]:
    """Return a function that registers an endpoint at the receiver (all events by default)."""

    def make(events=None, **fields) -> Endpoint:
        fields.setdefault("url", receiver.url())
        events = [str(event) for event in (SUBSCRIBABLE if events is None else events)]
        return Endpoint.objects.create(events=events, **fields)

    return make


@pytest.fixture
def endpoint(make_endpoint) -> Endpoint:
    return make_endpoint(description="A syndication partner")
