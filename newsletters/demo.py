"""Demo subscribers: after ``seed_demo`` the admin's newsletter lists show counts.

Connected to ``articles.signals.demo_seeded`` by ``NewslettersConfig.ready()``. The addresses
are under ``example.org``, a domain reserved for examples (RFC 2606): no real mailbox gets
the demo's digests, which ``make run`` prints in its console anyway.
"""

import random

from django.utils import timezone

from articles.models import Author, Region, Rubric
from articles.signals import demo_seeded
from newsletters.models import Subscriber

DEMO_SUBSCRIBERS = 40


def seed_subscribers(sender=None, **kwargs) -> int:
    """Add confirmed demo subscribers with varied choices; return how many (none if any exist)."""
    if Subscriber.objects.exists():
        return 0
    chance = random.Random(7)
    regions = list(Region.objects.all())
    rubrics = list(Rubric.objects.all())
    authors = list(Author.objects.all())
    now = timezone.now()
    created = 0
    for number in range(1, DEMO_SUBSCRIBERS + 1):
        subscriber = Subscriber.objects.create(
            email=f"reader{number}@example.org",
            status=Subscriber.Status.CONFIRMED,
            confirmed_at=now,
            frequency=chance.choice(Subscriber.Frequency.values),
            breaking=chance.random() < 0.4,
            everything=number % 3 == 0,
        )
        if not subscriber.everything:
            if regions:
                subscriber.regions.set(chance.sample(regions, k=min(2, len(regions))))
            if rubrics and chance.random() < 0.5:
                subscriber.rubrics.set(chance.sample(rubrics, k=1))
            if authors and chance.random() < 0.3:
                subscriber.authors.set(chance.sample(authors, k=1))
        created += 1
    return created


def connect() -> None:
    demo_seeded.connect(seed_subscribers, dispatch_uid="newsletters.demo.seed_subscribers")
