"""A subscriber who leaves takes their address out of the delivery notes that quoted it."""

import pytest
from django.utils import timezone

from newsletters import personal_data, services
from newsletters.models import Delivery, Send

pytestmark = pytest.mark.django_db

ADDRESS = "nare@example.org"


@pytest.fixture
def refused(make_subscriber):
    """A failed delivery whose error quotes the mail server's refusal of the address."""
    subscriber = make_subscriber(ADDRESS)
    send = Send.objects.create(kind=Send.Kind.DAILY, edition=timezone.localdate())
    return Delivery.objects.create(
        send=send,
        subscriber=subscriber,
        status=Delivery.Status.FAILED,
        error=f"SMTPRecipientsRefused: {{'{ADDRESS.upper()}': (550, b'no such user')}}",
    )


def test_unsubscribing_leaves_the_outcome_without_the_address(refused):
    services.subscriber_unsubscribe(subscriber_id=refused.subscriber_id)

    refused.refresh_from_db()
    assert refused.subscriber_id is None and refused.status == Delivery.Status.FAILED
    assert refused.error == "SMTPRecipientsRefused: {'[address removed]': (550, b'no such user')}"


def test_the_export_lists_the_subscription_with_its_deliveries(refused, region):
    refused.subscriber.regions.set([region])

    data = personal_data.export(ADDRESS)["newsletter_subscription"]

    assert data["email"] == ADDRESS and data["regions"] == ["Post-Soviet region"]
    assert [delivery["outcome"] for delivery in data["deliveries"]] == ["failed"]
    assert personal_data.export("someone@example.org") == {
        "newsletter_subscription": None,
        "newsletter_opt_out": None,
    }
