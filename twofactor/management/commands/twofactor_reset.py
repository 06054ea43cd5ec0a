"""Remove a user's second factor, for the administrator on duty: a lost phone and no codes.

    python manage.py twofactor_reset <username>

The user logs in with the password alone next time, or, where a second factor is required,
is led to set up a new one. Their lockouts are lifted too; the audit log records the reset.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from twofactor import services


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator app and backup codes and lift their login lockouts, "
        "so that they can log in and set up two-factor authentication again."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"No user is called {username!r}.") from None
        services.second_factor_reset(user=user)
        self.stdout.write(
            f"Two-factor authentication of {username} was reset: at the next login they set "
            "it up again (or log in with the password alone where it is not required)."
        )
