"""Batches sent over several SMTP connections side by side, as production sends them.

Transactional tests on PostgreSQL: each lane is a thread with a database connection of its own,
which must see the test's data; SQLite takes one writer at a time, so there a batch is sent
over one connection.
"""

from collections import Counter

import pytest
from django.db import connection

from newsletters.models import Delivery, Send

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="lanes side by side need PostgreSQL"
    ),
]


@pytest.fixture
def three_lanes(settings):
    settings.NEWSLETTER_CONNECTIONS = 3
    settings.NEWSLETTER_BATCH_SIZE = 7


def test_lanes_side_by_side_send_each_subscriber_one_email(
    three_lanes, smtp_server, make_article, make_subscriber, start_daily, run_tasks
):
    make_article(title="Ports compete for cargo")
    addresses = [f"reader{number:02}@example.org" for number in range(20)]
    for address in addresses:
        make_subscriber(address)
    smtp_server.keeper.refuse.add("reader13@example.org")

    send = start_daily()
    run_tasks()

    received = Counter(message.to for message in smtp_server.messages)
    assert sorted(received) == [a for a in addresses if a != "reader13@example.org"]
    assert set(received.values()) == {1}
    send.refresh_from_db()
    assert (send.status, send.delivered, send.failed, send.unknown) == ("done", 19, 1, 0)
    assert not Delivery.objects.filter(status=Delivery.Status.SENDING).exists()


def test_lanes_with_the_mail_server_down_mark_nothing_and_try_again(
    three_lanes, settings, smtp_server, make_article, make_subscriber, start_daily, run_tasks
):
    make_article()
    for number in range(5):
        make_subscriber(f"reader{number}@example.org")
    settings.EMAIL_PORT = 9  # nothing listens there

    send = start_daily()
    run_tasks()

    send.refresh_from_db()
    assert (send.status, send.cursor, send.delivered) == (Send.Status.SENDING, 0, 0)
    # Taken by the batch, none tried: the next try sends them all.
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.PENDING}
