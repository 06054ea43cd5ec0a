from django.conf import settings
from django.core.management.base import BaseCommand

from datarights import retention


class Command(BaseCommand):
    help = (
        "Blank client fingerprints and user agents older than "
        "NEWSROOM_FINGERPRINT_RETENTION_DAYS (reviews, report hashes, preview-link openings, "
        'failed admin logins), one UPDATE per table, and forget "Your data" requests whose '
        "link expired. The worker does the same by itself."
    )

    def handle(self, *args, **options):
        done = retention.erase_old_fingerprints()
        days = settings.NEWSROOM_FINGERPRINT_RETENTION_DAYS
        self.stdout.write(f"Blanked what was recorded more than {days} days ago:")
        for table, count in done.items():
            self.stdout.write(f"  {table}: {count}")
        forgotten = retention.forget_expired_requests()
        self.stdout.write(f"Forgot {forgotten} expired data request(s) and their addresses.")
