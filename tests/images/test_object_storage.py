"""Pictures work wherever Django's storage puts them: nothing assumes files on local disk.

Object storage (S3 through django-storages) offers only the storage API. The whole life of a
picture here runs on Django's in-memory storage: upload in the library, renditions, the
story page, the feed, deletion. Code that reached for files on disk would find none there,
and nothing may appear under MEDIA_ROOT.
"""

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from images.models import Image
from tests.helpers import picture_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_memory_storage(settings):
    # Django forgets the storages it built when the setting changes (and changes back).
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return storages["default"]


def test_a_picture_lives_its_whole_life_on_storage_without_paths(
    in_memory_storage, editor_client, make_article, media_root, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("quay.jpg", picture_bytes((1200, 800)), "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:images_image_add"),
            {
                "file": upload,
                "title": "",
                "alt_text": "The quay",
                "focal_x": "0.9",
                "focal_y": "0.5",
            },
        )
    assert response.status_code == 302
    image = Image.objects.get()
    assert image.is_processed and in_memory_storage.exists(image.renditions["3x2-640.jpg"])

    story = make_article(lead_image=image, body=f'<figure data-image="{image.pk}"></figure>')
    page = editor_client.get(story.get_absolute_url()).content.decode()
    assert image.renditions["full-1024.jpg"] in page
    assert editor_client.get(reverse("articles-feed")).status_code == 200

    files = [image.file.name, *(v for k, v in image.renditions.items() if "." in k)]
    story.delete()
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert not any(in_memory_storage.exists(name) for name in files)
    assert not media_root.exists() or not any(media_root.rglob("*.*"))  # nothing on disk
