"""Renditions of library images: made once per file and focal point, never twice at once."""

from django.db import transaction
from django.utils import timezone

from images.models import Image
from images.pipeline import LIBRARY_CROPS, delete_files, process_image, rendition_files
from images.signals import renditions_changed


def make_renditions(image: Image) -> bool:
    """Clean *image*'s file and write its renditions unless they already match; return whether
    anything was written.

    The row is locked while the files are made: a second process (two editors saving the
    focal point together, an upload and ``process_images``) waits, then finds the work done.
    Files replaced are deleted only once the new names are committed.
    """
    with transaction.atomic():
        # An UPDATE locks the row on PostgreSQL and the database on SQLite until commit.
        Image.objects.filter(pk=image.pk).update(processed_at=timezone.now())
        current = Image.objects.get(pk=image.pk)
        previous = dict(current.renditions or {})
        done = process_image(current.file, previous, LIBRARY_CROPS, current.focal_point)
        if done is None:
            image.renditions = previous
            return False
        Image.objects.filter(pk=image.pk).update(
            file=done.name, width=done.width, height=done.height, renditions=done.renditions
        )
    storage, obsolete = image.file.storage, done.obsolete
    transaction.on_commit(lambda: delete_files(storage, obsolete))
    renditions_changed.send(sender=Image, image=image)
    image.file.name = done.name
    image.width, image.height, image.renditions = done.width, done.height, done.renditions
    return True


def delete_image_files(image: Image) -> None:
    """Delete the file and renditions of a deleted *image* once the deletion is committed."""
    storage = image.file.storage
    names = [*rendition_files(image.renditions or {}), *([image.file.name] if image.file else [])]
    transaction.on_commit(lambda: delete_files(storage, names))
