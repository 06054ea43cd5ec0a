"""Everything the newsroom holds for one email address, gathered from the apps that hold it.

Each app that stores something a reader gave knows its own tables (``reviews.personal_data``,
``newsletters.personal_data``); this module asks each of them and puts the answers together,
for the reader's page, the JSON download and the moderators' page alike.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from audit import log
from newsletters import personal_data as newsletter_data
from reviews import personal_data as review_data


def normalise(email: str) -> str:
    """Return *email* as reviews and subscribers store it: stripped and lower-cased."""
    return email.strip().lower()


def address_hash(email: str) -> str:
    """Return a keyed hash of *email*: HMAC-SHA256 under a key derived from SECRET_KEY.

    What the audit log keeps instead of the address: the same address gives the same hash, so
    a moderator can find its entries again, and nobody without the key can test a guessed
    address against it (as anyone could with a plain SHA-256, such as the review opt-outs').
    """
    return salted_hmac("datarights.address", normalise(email), algorithm="sha256").hexdigest()


def reader_label(email: str) -> str:
    """Return how the audit log names the reader of *email*: the start of the hash."""
    return f"reader {address_hash(email)[:12]}"


# What is held only as the reader's "never write to me" (``newsletters.OptOut``): listed like
# the rest, but no reason to email the address a link when a stranger types it in.
OBJECTIONS = frozenset({"newsletter_opt_outs"})


@dataclass
class Inventory:
    email: str
    # Section name -> what :func:`export` of its app returned for it.
    data: dict
    counts: dict[str, int]

    @property
    def held(self) -> bool:
        return any(self.counts.values())

    @property
    def worth_a_link(self) -> bool:
        """Return whether anything is held but the address's objection to our emails."""
        return any(count for name, count in self.counts.items() if name not in OBJECTIONS)

    def as_json(self) -> dict:
        """Return the download: the address, when, from which site, and every section."""
        return {
            "address": self.email,
            "exported_at": timezone.now().isoformat(),
            "site": settings.SITE_URL,
            **self.data,
        }


def inventory_for(email: str) -> Inventory:
    """Return everything held for *email* (a handful of queries, whatever the address)."""
    email = normalise(email)
    reviews = review_data.export(email)
    newsletters = newsletter_data.export(email)
    return Inventory(
        email=email,
        data={**reviews, **newsletters},
        counts={**review_data.counts(reviews), **newsletter_data.counts(newsletters)},
    )


def record(action: str, inventory: Inventory, *, by=None) -> None:
    """Write an audit entry about *inventory*'s reader: the keyed hash and the counts only."""
    log.record(
        action,
        actor=by,
        obj=reader_label(inventory.email),
        details={
            "address": address_hash(inventory.email),
            "by": "moderator" if by is not None else "reader",
            **inventory.counts,
        },
    )
