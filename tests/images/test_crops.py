"""Every crop keeps the picture's subject: the focal point is in frame in teasers, squares
and share cards, and renditions are made once per file and focal point."""

import io
import threading

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from PIL import Image as PILImage
from PIL import ImageDraw

from images import services
from images.models import Image
from images.pipeline import DEVICE_WIDTHS, WEB_FORMATS, focal_box, widths_by_format
from images.rendering import CROPS
from images.services import make_renditions

pytestmark = pytest.mark.django_db

SUBJECT = (20, 200, 40)  # a green dot: the subject of the picture


@pytest.mark.parametrize("focal", [(0.0, 0.0), (0.97, 0.5), (0.5, 1.0), (1.0, 1.0), (0.5, 0.5)])
@pytest.mark.parametrize("aspect", [3 / 2, 1.0, 16 / 9, 4 / 3, 1200 / 630, 9 / 16])
def test_the_crop_box_always_holds_the_focal_point(focal, aspect):
    size = (1920, 1080)
    left, top, right, bottom = focal_box(size, aspect, focal)

    assert 0 <= left < right <= size[0] and 0 <= top < bottom <= size[1]
    assert left <= focal[0] * size[0] <= right
    assert top <= focal[1] * size[1] <= bottom
    assert abs((right - left) / (bottom - top) - aspect) < 0.01


def picture_with_subject_at(x: float, y: float, size=(1920, 1080)) -> bytes:
    """A grey picture with a green dot at (x, y), as shares of its width and height."""
    picture = PILImage.new("RGB", size, (128, 128, 128))
    centre = (x * size[0], y * size[1])
    ImageDraw.Draw(picture).ellipse(
        (centre[0] - 30, centre[1] - 30, centre[0] + 30, centre[1] + 30), fill=SUBJECT
    )
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def library_image(picture: bytes, focal=(0.5, 0.5)) -> Image:
    image = Image(
        title="Subject near the edge", alt_text="A green dot", focal_x=focal[0], focal_y=focal[1]
    )
    image.file.save("subject.png", ContentFile(picture), save=False)
    image.save()
    make_renditions(image)
    return image


def shows_subject(image: Image, key: str) -> bool:
    with image.file.storage.open(image.renditions[key]) as handle, PILImage.open(handle) as crop:
        pixels = crop.convert("RGB").get_flattened_data()
        return any(
            abs(r - SUBJECT[0]) + abs(g - SUBJECT[1]) + abs(b - SUBJECT[2]) < 60
            for r, g, b in pixels
        )


def widest(image: Image, crop: str) -> str:
    jpegs = widths_by_format(image.renditions, CROPS[crop])["jpg"]
    return crop + f"-{jpegs[-1][0]}.jpg"


def test_a_subject_near_the_edge_stays_in_every_crop():
    image = library_image(picture_with_subject_at(0.96, 0.5), focal=(0.96, 0.5))

    for crop in ("3x2", "1x1", "share-16x9", "share-4x3", "share-1x1", "og"):
        assert shows_subject(image, widest(image, crop)), crop


def test_a_centred_crop_would_have_lost_it():
    # The same picture without a focal point: the square is cut from the middle, and the
    # subject at the right edge is gone. (What the test above guards against.)
    image = library_image(picture_with_subject_at(0.96, 0.5))

    assert not shows_subject(image, widest(image, "1x1"))


def test_a_large_picture_gets_every_device_width_in_every_format():
    image = library_image(picture_with_subject_at(0.5, 0.5))

    full = widths_by_format(image.renditions, CROPS["full"])
    assert set(full) == set(WEB_FORMATS)
    for entries in full.values():
        assert [width for width, _name in entries] == list(DEVICE_WIDTHS)
    assert "avif" in WEB_FORMATS  # Pillow here writes AVIF: readers get the smallest files
    with image.file.storage.open(image.renditions["og-1200.jpg"]) as handle:
        assert PILImage.open(handle).size == (1200, 630)


def test_a_small_picture_is_never_upscaled():
    image = library_image(picture_with_subject_at(0.5, 0.5, size=(500, 300)))

    widths = {width for width, _name in widths_by_format(image.renditions, CROPS["full"])["jpg"]}
    assert widths == {320, 480, 500}


def test_moving_the_focal_point_redraws_the_crops_only(django_capture_on_commit_callbacks):
    image = library_image(picture_with_subject_at(0.1, 0.5))
    before = dict(image.renditions)
    storage = image.file.storage

    image.focal_x, image.focal_y = 0.1, 0.5
    image.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert make_renditions(image) is True

    after = image.renditions
    assert after["full-1920.jpg"] == before["full-1920.jpg"]  # the whole picture: kept
    assert after["3x2-1600.jpg"] != before["3x2-1600.jpg"]  # the crops: new files
    assert not storage.exists(before["3x2-1600.jpg"])
    assert storage.exists(after["3x2-1600.jpg"])
    assert shows_subject(image, widest(image, "1x1"))


def test_renditions_are_made_once(django_capture_on_commit_callbacks):
    image = library_image(picture_with_subject_at(0.5, 0.5))

    assert make_renditions(image) is False
    assert make_renditions(Image.objects.get(pk=image.pk)) is False


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL"
)
def test_two_saves_at_once_make_the_renditions_once(monkeypatch):
    image = Image(title="Busy picture", alt_text="A green dot")
    image.file.save("busy.png", ContentFile(picture_with_subject_at(0.5, 0.5)), save=False)
    image.save()
    made = []
    real = services.process_image
    both_started = threading.Barrier(2)

    def counting(*args, **kwargs):
        done = real(*args, **kwargs)
        if done is not None:
            made.append(done)
        return done

    monkeypatch.setattr(services, "process_image", counting)

    def save_renditions():
        both_started.wait()
        try:
            make_renditions(Image.objects.get(pk=image.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=save_renditions) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(made) == 1
    stored = Image.objects.get(pk=image.pk)
    assert stored.is_processed and stored.renditions == made[0].renditions | {}
