"""The invitation link's token: Django's reset token, with its own salt and lifetime.

A token is an HMAC of the account's id, password hash, last login and email address, and of
the time it was made (``PasswordResetTokenGenerator``). Setting a password changes the hash,
so a link works once; changing the address or deactivating the account (checked by the page)
ends it too. Its own ``key_salt`` means a password-reset token is never an invitation token,
nor the other way round, and invitations may live longer (``NEWSROOM_INVITATION_DAYS``) than
reset links (Django's ``PASSWORD_RESET_TIMEOUT``).
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.InvitationTokenGenerator"

    @property
    def max_age(self) -> int:
        """Return how long an invitation link works, in seconds."""
        return settings.NEWSROOM_INVITATION_DAYS * 24 * 60 * 60

    def check_token(self, user, token):
        # Django's check, measured against the invitation's lifetime instead of
        # PASSWORD_RESET_TIMEOUT (which check_token() reads directly).
        if not (user and token) or not isinstance(token, str):
            return False
        timestamp_b36, _separator, _hash = token.partition("-")
        try:
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        signed = any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        return signed and self._num_seconds(self._now()) - timestamp <= self.max_age


invitation_token_generator = InvitationTokenGenerator()
