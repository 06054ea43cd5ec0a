from django.core.management.base import BaseCommand

from reviews.moderators import send_digest_if_due


class Command(BaseCommand):
    help = (
        "Email moderators a digest of the review queue (pending count, oldest waiting) if "
        "reviews wait unannounced and the last digest is older than REVIEWS_DIGEST_HOURS. "
        "Safe to run from cron as often as you like."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Send now, however recent the last digest."
        )

    def handle(self, *args, **options):
        sent = send_digest_if_due(force=options["force"])
        self.stdout.write("Digest sent." if sent else "No digest due.")
