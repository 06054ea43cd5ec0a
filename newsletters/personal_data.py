"""What the newsletter holds about a reader, found by their address: for "Your data".

The ``datarights`` app calls :func:`export` and :func:`erase`. Erasing is unsubscribing: the
subscriber and their choices are deleted, and each delivery keeps its outcome for the send's
figures, without the subscriber. An :class:`~newsletters.models.OptOut` (the address asked,
from a confirmation email, never to be sent one again: a hash of the address) is listed and
kept: it is how that objection is honoured, and deleting it would let anyone who types the
address into the sign-up form make us write to it again.

A mail server's refusal often quotes the address it refused
("550 <nino@example.org>: no such user"), and the delivery keeps that text as its error: so
whenever a subscriber is deleted, however (unsubscribing, the admin, an unconfirmed sign-up
forgotten, erasure), :func:`forget_delivery_errors` takes the address out of their deliveries'
errors first (a ``pre_delete`` receiver, connected in ``NewslettersConfig.ready()``).
"""

import re

from django.db import transaction
from django.db.models.signals import pre_delete
from django.utils.translation import gettext_lazy as _

from newsletters.models import Delivery, OptOut, Subscriber

ADDRESS_REMOVED = _("[address removed]")


def opt_out_of(email: str) -> OptOut | None:
    """Return the "never send anything to this address again" of *email*, or None."""
    if not email:
        return None
    return OptOut.objects.filter(email_hash=OptOut.hash_email(email)).first()


def export(email: str) -> dict:
    """Return the subscription of *email* with its choices and deliveries, and its opt-out."""
    opt_out = opt_out_of(email)
    found = {
        "newsletter_opt_out": (
            {"address_hash": opt_out.email_hash, "since": opt_out.created_at}
            if opt_out is not None
            else None
        )
    }
    subscriber = (
        Subscriber.objects.filter(email=email)
        .prefetch_related("regions", "rubrics", "authors")
        .first()
        if email
        else None
    )
    if subscriber is None:
        return {"newsletter_subscription": None, **found}
    deliveries = (
        Delivery.objects.filter(subscriber=subscriber).select_related("send").order_by("at", "pk")
    )
    return {
        "newsletter_subscription": {
            "email": subscriber.email,
            "status": str(subscriber.get_status_display()),
            "digest": str(subscriber.get_frequency_display()),
            "every_story": subscriber.everything,
            "regions": [str(region) for region in subscriber.regions.all()],
            "rubrics": [str(rubric) for rubric in subscriber.rubrics.all()],
            "authors": [str(author) for author in subscriber.authors.all()],
            "breaking_news_alerts": subscriber.breaking,
            "signed_up_at": subscriber.created_at,
            "confirmed_at": subscriber.confirmed_at,
            "last_sign_up_email_at": subscriber.mailed_at,
            "deliveries": [
                {
                    "newsletter": str(delivery.send),
                    "outcome": str(delivery.get_status_display()),
                    "at": delivery.at,
                }
                for delivery in deliveries
            ],
        },
        **found,
    }


def counts(data: dict) -> dict[str, int]:
    return {
        "newsletter_subscriptions": int(data["newsletter_subscription"] is not None),
        "newsletter_opt_outs": int(data["newsletter_opt_out"] is not None),
    }


def erase(email: str) -> dict[str, int]:
    """Unsubscribe *email* and take it out of every delivery's error; return counts.

    The opt-out stays (see the module docstring).
    """
    with transaction.atomic():
        # Also deliveries of a subscriber who left before errors were cleaned on leaving.
        cleaned = _clean_errors(Delivery.objects.filter(error__icontains=email), email)
        _deleted, by_model = Subscriber.objects.filter(email=email).delete()
    return {
        "newsletter_subscriptions": by_model.get(Subscriber._meta.label, 0),
        "newsletter_opt_outs_kept": int(opt_out_of(email) is not None),
        "delivery_errors_cleaned": cleaned,
    }


def forget_delivery_errors(sender, instance: Subscriber, **kwargs) -> None:
    """Take the address of a subscriber about to be deleted out of their deliveries' errors."""
    if instance.confirmed_at is None:
        return  # never confirmed, so never sent anything: no query per forgotten sign-up
    _clean_errors(
        Delivery.objects.filter(subscriber_id=instance.pk, error__icontains=instance.email),
        instance.email,
    )


def _clean_errors(deliveries, email: str) -> int:
    if not email:
        return 0
    pattern = re.compile(re.escape(email), re.IGNORECASE)
    changed = list(deliveries.only("pk", "error"))
    for delivery in changed:
        delivery.error = pattern.sub(lambda _match: str(ADDRESS_REMOVED), delivery.error)
    Delivery.objects.bulk_update(changed, ["error"])
    return len(changed)


def connect() -> None:
    pre_delete.connect(
        forget_delivery_errors,
        sender=Subscriber,
        dispatch_uid="newsletters.personal_data:forget_delivery_errors",
    )
