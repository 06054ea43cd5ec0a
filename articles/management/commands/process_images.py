"""``python manage.py process_images``: clean every picture that has no renditions yet.

For pictures stored before they went through ``articles.images`` (author photos uploaded
before this release), or whose processing failed at upload: until then, pages show none of
them rather than a file that may still carry its metadata. Running it again does nothing.
"""

from django.core.management.base import BaseCommand

from articles.images import process_author_photo, process_lead_image
from articles.models import Article, Author


class Command(BaseCommand):
    help = "Re-encode and make the renditions of every lead image and author photo that lacks them."

    def handle(self, *args, **options):
        done = failed = 0
        pictures = [
            (process_author_photo, Author.objects.exclude(photo="").filter(photo_renditions={})),
            (
                process_lead_image,
                Article.objects.exclude(lead_image="").filter(lead_image_renditions={}),
            ),
        ]
        for process, rows in pictures:
            for row in rows.iterator():
                try:
                    process(row)
                except Exception as error:  # one unreadable file must not stop the rest
                    failed += 1
                    self.stderr.write(f"{row._meta.verbose_name} {row.pk}: {error}")
                else:
                    done += 1
        self.stdout.write(f"Processed {done} pictures; {failed} could not be read.")
