from django.core.management.base import BaseCommand

from reviews.moderators import announce_unannounced


class Command(BaseCommand):
    help = (
        "Email moderators about pending reviews they were not told about yet, e.g. after the "
        "mail server failed. The worker does this every few minutes by itself; each review is "
        "announced once."
    )

    def handle(self, *args, **options):
        sent = announce_unannounced()
        self.stdout.write(f"Notified moderators about {sent} review(s).")
