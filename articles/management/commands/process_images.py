"""``python manage.py process_images``: make every picture's missing renditions.

For library images whose renditions do not match their file and focal point (lead images
moved into the library by migration 0012 have no crops yet, an upload whose processing
failed has none at all) and for author photos without renditions. Until then pages show the
whole picture, or no author photo. Running it again does nothing.
"""

from django.core.management.base import BaseCommand

from articles.models import Author
from articles.pictures import process_author_photo
from images.models import Image
from images.services import make_renditions


class Command(BaseCommand):
    help = "Make the renditions of every library image and author photo that lacks them."

    def handle(self, *args, **options):
        done = failed = 0
        images = (image for image in Image.objects.iterator() if not image.is_processed)
        photos = Author.objects.exclude(photo="").filter(photo_renditions={}).iterator()
        for process, rows in ((make_renditions, images), (process_author_photo, photos)):
            for row in rows:
                try:
                    process(row)
                except Exception as error:  # one unreadable file must not stop the rest
                    failed += 1
                    self.stderr.write(f"{row._meta.verbose_name} {row.pk}: {error}")
                else:
                    done += 1
        self.stdout.write(f"Processed {done} pictures; {failed} could not be read.")
