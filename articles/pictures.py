"""Author photos, through the image library's pipeline (images.pipeline).

An author's photo is their own, not a library image: it is never reused, and it is cut
square, centred. It still goes through the same checks, cleaning and rendition writing.
"""

from django.db import transaction

from articles import page_changes
from articles.models import Author
from images.pipeline import AUTHOR_PHOTO_CROPS, delete_files, process_image, rendition_files
from images.services import save_processed


def process_author_photo(author: Author) -> None:
    """Clean the photo of *author* and (re)build its renditions.

    Safe to call after every save: it does nothing when the renditions already belong to the
    current photo. Writes only the derived columns, with an UPDATE (no save(), no signals),
    and tells the page cache, which an UPDATE does not.
    """
    storage = author.photo.storage
    previous = dict(author.photo_renditions or {})
    if not author.photo:
        if previous:
            Author.objects.filter(pk=author.pk).update(photo_renditions={})
            author.photo_renditions = {}
            transaction.on_commit(lambda: delete_files(storage, rendition_files(previous)))
            page_changes.author_photo_changed(author)
        return
    done = process_image(author.photo, previous, AUTHOR_PHOTO_CROPS)
    if done is None:
        return
    save_processed(author, done, file_field="photo", renditions_field="photo_renditions")
    page_changes.author_photo_changed(author)
