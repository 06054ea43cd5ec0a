import re
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsletters.models import Subscriber
from reviews.models import Review
from reviews.services import client_fingerprint

READER = "nino@example.org"
STRANGER = "nobody@example.org"
REQUEST_URL = reverse("datarights:request")
LINK = re.compile(r"https?://\S+/your-data/\S+/")


def ask(client: Client, email: str, ip: str = "203.0.113.50"):
    """Send the "Your data" form as a reader would."""
    return client.post(REQUEST_URL, {"email": email}, REMOTE_ADDR=ip)


def link_in(message) -> str:
    """Return the path of the one link in a "Your data" email."""
    found = LINK.findall(message.body)
    assert len(found) == 1, message.body
    return urlsplit(found[0]).path


@pytest.fixture
def make_review(published_article) -> Callable[..., Review]:
    def make(**fields) -> Review:
        fields.setdefault("article", published_article)
        fields.setdefault("name", "Nino Beridze")
        fields.setdefault("email", READER)
        fields.setdefault("body", "A careful piece about the border talks.")
        fields.setdefault("status", Review.Status.APPROVED)
        fields.setdefault("fingerprint", client_fingerprint("198.51.100.1"))
        fields.setdefault("user_agent", "Mozilla/5.0 (Nino's laptop)")
        return Review.objects.create(**fields)

    return make


@pytest.fixture
def subscriber(db, region) -> Subscriber:
    subscriber = Subscriber.objects.create(
        email=READER,
        status=Subscriber.Status.CONFIRMED,
        confirmed_at=timezone.now() - timedelta(days=3),
        frequency=Subscriber.Frequency.DAILY,
        everything=False,
    )
    subscriber.regions.set([region])
    return subscriber


@pytest.fixture
def reader_data(make_review, subscriber) -> dict:
    """A reader with a published review, one waiting for a moderator, and a subscription."""
    return {
        "published": make_review(),
        "pending": make_review(status=Review.Status.PENDING, body="Second thoughts."),
        "subscriber": subscriber,
    }


@pytest.fixture
def data_link(reader_data, run_tasks, mailoutbox) -> Callable[[], str]:
    """Return a function that asks for the reader's link and returns its path."""

    def get() -> str:
        mailoutbox.clear()
        ask(Client(), READER)
        run_tasks()
        (message,) = mailoutbox
        return link_in(message)

    return get
