from django.core.management.base import BaseCommand

from reviews.models import Review
from reviews.tasks import notify_moderators


class Command(BaseCommand):
    help = (
        "Email moderators about pending reviews they were not told about yet, e.g. after the "
        "mail server failed. Safe to run from cron: each review is announced once."
    )

    def handle(self, *args, **options):
        waiting = Review.objects.pending().filter(notified_at__isnull=True).order_by("pk")
        sent = 0
        for review_id in waiting.values_list("pk", flat=True).iterator():
            sent += bool(notify_moderators.call(review_id))
        self.stdout.write(f"Notified moderators about {sent} review(s).")
