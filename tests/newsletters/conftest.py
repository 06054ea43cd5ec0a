from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from newsletters import sending
from newsletters.models import Send, Subscriber
from tests.newsletters.smtp import SMTPServer


@pytest.fixture(autouse=True)
def sending_here(settings):
    """Send batches back to back, over one connection in the test's own thread.

    ``run_tasks`` runs only tasks due now (one test sets a rate). A lane in a thread of its
    own has a database connection of its own, which cannot see the data of a test that runs
    in a transaction; lanes side by side are tested in transactional tests.
    """
    settings.NEWSLETTER_RATE = 0
    settings.NEWSLETTER_CONNECTIONS = 1


@pytest.fixture
def smtp_server(settings) -> Iterator[SMTPServer]:
    """Start a local SMTP server and send every email of the test through it."""
    server = SMTPServer().start()
    for name, value in server.settings().items():
        setattr(settings, name, value)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_subscriber(db):
    """Return a function that stores a subscriber, confirmed an hour ago unless told otherwise."""

    def make(
        email: str,
        *,
        confirmed: bool = True,
        frequency: str = "daily",
        regions=(),
        rubrics=(),
        authors=(),
        breaking: bool = False,
        language: str = "en",
    ) -> Subscriber:
        subscriber = Subscriber.objects.create(
            language=language,
            email=email,
            status=Subscriber.Status.CONFIRMED if confirmed else Subscriber.Status.UNCONFIRMED,
            confirmed_at=timezone.now() - timedelta(hours=1) if confirmed else None,
            frequency=frequency,
            breaking=breaking,
            everything=not (regions or rubrics or authors),
        )
        subscriber.regions.set(regions)
        subscriber.rubrics.set(rubrics)
        subscriber.authors.set(authors)
        return subscriber

    return make


@pytest.fixture
def start_daily(db):
    """Return a function that starts today's daily digest over the last day's stories."""

    def start(now=None) -> Send:
        now = now or timezone.now()
        return sending.start(
            kind=Send.Kind.DAILY,
            edition=timezone.localdate(now),
            window=(now - timedelta(days=1), now),
        )

    return start
