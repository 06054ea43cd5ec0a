"""What reviews' and newsletters' "no more emails" lists share: an address kept as a hash."""

import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _


class HashedEmailOptOut(models.Model):
    """An address that asked for no more emails, kept as an unkeyed SHA-256 of it.

    Enough to recognise the address again, and no list of addresses; unkeyed, so that a new
    SECRET_KEY does not forget every opt-out.
    """

    email_hash = models.CharField(_("address hash"), max_length=64, unique=True)

    class Meta:
        abstract = True

    @staticmethod
    def hash_email(email: str) -> str:
        return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()

    @classmethod
    def covers(cls, email: str) -> bool:
        return cls.objects.filter(email_hash=cls.hash_email(email)).exists()
