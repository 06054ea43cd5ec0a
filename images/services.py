"""Renditions of library images: made once per file and focal point, never twice at once."""

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from images.models import Image
from images.pipeline import (
    LIBRARY_CROPS,
    Processed,
    delete_files,
    process_image,
    rendition_files,
)
from images.signals import renditions_changed


def make_renditions(image: Image) -> bool:
    """Clean *image*'s file and write its renditions unless they already match; return whether
    anything was written.

    The row is locked while the files are made (on PostgreSQL, where several processes
    write; SQLite has one writer at a time anyway): a second process, two editors saving the
    focal point together or an upload and ``process_images``, waits, then finds the work done.
    """
    with transaction.atomic():
        current = Image.objects.select_for_update().get(pk=image.pk)
        previous = dict(current.renditions or {})
        done = process_image(current.file, previous, LIBRARY_CROPS, current.focal_point)
        if done is None:
            image.renditions = previous
            return False
        save_processed(image, done, file_field="file", renditions_field="renditions")
        Image.objects.filter(pk=image.pk).update(
            width=done.width, height=done.height, processed_at=timezone.now()
        )
        image.width, image.height = done.width, done.height
    renditions_changed.send(sender=Image, image=image)
    return True


def save_processed(instance: Model, done: Processed, *, file_field: str, renditions_field: str):
    """Store what the pipeline made for *instance*'s picture: the clean file's name and the
    renditions, written with an UPDATE (no save(), no signals, no new story version).

    The files they replace are deleted once that is committed, so that a failure on the way
    leaves the stored picture whole.
    """
    type(instance)._default_manager.filter(pk=instance.pk).update(
        **{file_field: done.name, renditions_field: done.renditions}
    )
    field = getattr(instance, file_field)
    field.name = done.name
    setattr(instance, renditions_field, done.renditions)
    storage, obsolete = field.storage, list(done.obsolete)
    transaction.on_commit(lambda: delete_files(storage, obsolete))


def delete_image_files(image: Image) -> None:
    """Delete the file and renditions of a deleted *image* once the deletion is committed."""
    storage = image.file.storage
    names = [*rendition_files(image.renditions or {}), *([image.file.name] if image.file else [])]
    transaction.on_commit(lambda: delete_files(storage, names))
