"""The picture pipeline: what the upload validator refuses, and what processing leaves behind.

Library images are processed by ``images.services.make_renditions()``, author photos by
``articles.pictures.process_author_photo()``; both through ``images.pipeline``. Files a new
one replaces (the raw upload, old renditions) are deleted only once the change is committed,
so tests that check a deletion run the on-commit callbacks.
"""

import io
import struct
import zlib

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template import Context, Template
from PIL import Image, PngImagePlugin

from articles.models import Article, Author
from articles.pictures import process_author_photo
from articles.seo import og_image_path
from articles.templatetags.article_images import SLOTS
from images.models import Image as LibraryImage
from images.pipeline import WEB_FORMATS, validate_image
from images.services import make_renditions


def image_bytes(
    size=(64, 48), fmt="JPEG", mode="RGB", color=(200, 40, 40), **save_options
) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **save_options)
    return buffer.getvalue()


def upload(content: bytes, name="photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def refusal(uploaded) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_image(uploaded)
    return caught.value


def png_claiming(width: int, height: int) -> bytes:
    """Return a tiny PNG whose header claims *width* x *height* pixels."""
    real = image_bytes((1, 1), "PNG", mode="1", color=0)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    ihdr = struct.pack(">I", 13) + b"IHDR" + header
    ihdr += struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return real[:8] + ihdr + real[8 + 25 :]


class ReportedSizeUpload(SimpleUploadedFile):
    """An upload that says it is bigger than it is, so no test allocates 20 MB."""

    def __init__(self, *args, reported_size: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.size = reported_size


# The validator ---------------------------------------------------------------------------


ACCEPTED = [
    ("JPEG", "a.jpg", "RGB"),
    ("PNG", "a.png", "RGBA"),
    ("WEBP", "a.webp", "RGB"),
    ("GIF", "a.gif", "P"),
]


@pytest.mark.parametrize(("fmt", "name", "mode"), ACCEPTED)
def test_jpeg_png_webp_and_gif_are_accepted_and_the_file_is_rewound(fmt, name, mode):
    uploaded = upload(image_bytes(fmt=fmt, mode=mode, color=1 if mode == "P" else None), name)
    uploaded.read(10)

    validate_image(uploaded)

    assert uploaded.tell() == 0


def test_text_renamed_to_jpg_is_refused_as_not_an_image():
    error = refusal(upload(b"Minutes of the editorial meeting\n" * 20, "notes.jpg"))

    assert error.code == "not_an_image"
    assert "not an image" in error.messages[0]


def test_svg_is_refused_even_though_browsers_show_it():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    error = refusal(upload(svg, "map.svg"))

    assert error.code in {"invalid_extension", "markup"}
    assert refusal(upload(svg, "map.png")).code == "markup"


def test_html_disguised_as_png_is_refused():
    uploaded = upload(b"<!DOCTYPE html><html><body onload=alert(1)>hi</body></html>", "cat.png")

    error = refusal(uploaded)

    assert error.code == "markup"
    assert "SVG or HTML" in error.messages[0]
    assert uploaded.tell() == 0


def test_gif_javascript_polyglot_is_refused():
    polyglot = b"GIF89a/*\x00\x00*/=alert(document.domain);//" + b"\x00" * 40

    assert refusal(upload(polyglot, "x.gif")).code in {"not_an_image", "corrupt"}


def test_a_real_image_with_an_html_name_is_refused():
    error = refusal(upload(image_bytes(fmt="PNG"), "page.html"))

    assert error.code == "invalid_extension"


def test_formats_other_than_jpeg_png_webp_gif_are_refused():
    error = refusal(upload(image_bytes(fmt="BMP"), "scan.png"))

    assert error.code == "invalid_format"
    assert "BMP images are not accepted" in error.messages[0]


def test_files_over_20_mb_are_refused_before_being_read():
    uploaded = ReportedSizeUpload("big.jpg", image_bytes(), reported_size=21 * 1024 * 1024)

    error = refusal(uploaded)

    assert error.code == "file_too_large"
    assert "21.0 MB" in error.messages[0]
    assert "at most 20 MB" in error.messages[0]


def test_a_file_of_exactly_20_mb_is_not_refused_for_its_size():
    validate_image(ReportedSizeUpload("ok.jpg", image_bytes(), reported_size=20 * 1024 * 1024))


def test_images_over_40_megapixels_are_refused_from_the_header():
    # 1-bit pixels compress to almost nothing: 48 MP in a few kilobytes on disk.
    bomb = image_bytes((8000, 6000), "PNG", mode="1", color=0)
    assert len(bomb) < 100_000

    error = refusal(upload(bomb, "bomb.png"))

    assert error.code == "too_many_pixels"
    assert "8000 × 6000" in error.messages[0]


def test_decompression_bomb_past_pillows_own_limits_is_refused_cleanly():
    for width, height in [(10_000, 10_000), (100_000, 100_000)]:
        error = refusal(upload(png_claiming(width, height), "bomb.png"))

        assert error.code == "too_many_pixels"
        assert "40 megapixels" in error.messages[0]


def test_truncated_jpeg_is_refused_as_damaged():
    # Noise, so that the cut falls in the middle of the compressed pixel data.
    noisy = Image.effect_noise((400, 300), 64).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "JPEG")
    data = buffer.getvalue()

    error = refusal(upload(data[: len(data) // 2], "cut.jpg"))

    assert error.code == "corrupt"
    assert "damaged or incomplete" in error.messages[0]


def test_truncated_png_is_refused_as_damaged():
    data = image_bytes((200, 200), "PNG")

    assert refusal(upload(data[: len(data) - 30], "cut.png")).code == "corrupt"


def test_the_refusal_reaches_the_form_as_a_field_error():
    class LeadImageForm(forms.Form):
        lead_image = forms.ImageField(validators=[validate_image])

    bomb = image_bytes((8000, 6000), "PNG", mode="1", color=0)
    form = LeadImageForm(data={}, files={"lead_image": upload(bomb, "bomb.png")})

    assert not form.is_valid()
    assert "at most 40 megapixels" in form.errors["lead_image"][0]


# Processing library images ---------------------------------------------------------------


def photo_with_gps_and_rotation() -> bytes:
    """Return a 300x200 JPEG that says "rotate 90° clockwise" and where it was taken."""
    image = Image.new("RGB", (300, 200), (10, 120, 200))
    image.paste((250, 250, 0), (0, 0, 60, 60))  # A yellow mark in the top-left corner.
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; viewers rotate 90° clockwise.
    exif[0x010F] = "Newsroom Test Camera"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (41.0, 43.0, 0.0)
    gps[3] = "E"
    gps[4] = (44.0, 47.0, 0.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"shot at the safe house")
    return buffer.getvalue()


def stored_files(renditions: dict) -> list[str]:
    """Return the storage names in *renditions*: every key but the focal point is a file."""
    return [name for key, name in renditions.items() if key != "focal"]


def media_files(media_root) -> set[str]:
    return {str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file()}


@pytest.fixture
def uploaded_image(db):
    """Return a function that stores an upload in the library as the admin does, unprocessed."""

    def make(content: bytes, name="photo.jpg", **fields) -> LibraryImage:
        fields.setdefault("title", "A test picture")
        fields.setdefault("alt_text", "A test picture")
        image = LibraryImage(**fields)
        # Named, so that the image field reads the dimensions from the content.
        image.file.save(name, ContentFile(content, name=name), save=False)
        image.save()
        return image

    return make


def test_processing_applies_orientation_and_strips_gps_exif_and_comments(
    uploaded_image, django_capture_on_commit_callbacks
):
    image = uploaded_image(photo_with_gps_and_rotation())
    uploaded_name = image.file.name
    assert Image.open(default_storage.open(uploaded_name)).getexif().get_ifd(0x8825)

    with django_capture_on_commit_callbacks(execute=True):
        assert make_renditions(image) is True

    image.refresh_from_db()
    assert image.file.name != uploaded_name
    assert not default_storage.exists(uploaded_name), "the upload with GPS must not linger"
    assert (image.width, image.height) == (200, 300)
    assert image.renditions["source"] == image.file.name
    stored = [image.file.name, *stored_files(image.renditions)]
    for name in stored:
        with default_storage.open(name) as handle:
            raw = handle.read()
        assert b"Newsroom Test Camera" not in raw
        assert b"safe house" not in raw
        picture = Image.open(io.BytesIO(raw))
        assert not picture.getexif(), name
        assert "xmp" not in picture.info and "comment" not in picture.info
    # The yellow corner was top-left before rotating clockwise: now it is top-right.
    upright = Image.open(default_storage.open(image.file.name)).convert("RGB")
    assert upright.getpixel((190, 10))[2] < 100
    assert upright.getpixel((10, 10))[2] > 150


def test_the_raw_upload_is_deleted_only_once_the_new_names_are_committed(
    uploaded_image, django_capture_on_commit_callbacks
):
    image = uploaded_image(photo_with_gps_and_rotation())
    uploaded_name = image.file.name

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_renditions(image)
        # Until the new names are stored, the row still names the upload: keep it.
        assert default_storage.exists(uploaded_name)

    assert callbacks
    assert not default_storage.exists(uploaded_name)
    assert default_storage.exists(LibraryImage.objects.get(pk=image.pk).file.name)


def test_metadata_is_stripped_even_when_no_rotation_is_needed(uploaded_image):
    exif = Image.Exif()
    exif[0x010F] = "Newsroom Test Camera"
    exif.get_ifd(0x8825)[2] = (41.0, 43.0, 0.0)
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "<script>alert(1)</script>")
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), "teal").save(buffer, "PNG", exif=exif, pnginfo=text)
    image = uploaded_image(buffer.getvalue(), "chart.png")

    make_renditions(image)

    for name in [image.file.name, *stored_files(image.renditions)]:
        with default_storage.open(name) as handle:
            raw = handle.read()
        assert b"Newsroom Test Camera" not in raw and b"<script>" not in raw, name
        assert not Image.open(io.BytesIO(raw)).getexif(), name


def keys(crop: str, widths, formats=WEB_FORMATS) -> set[str]:
    return {f"{crop}-{width}.{extension}" for width in widths for extension in formats}


PILLOW_FORMATS = {"avif": "AVIF", "webp": "WEBP", "jpg": "JPEG"}
CROP_ASPECTS = {
    "3x2": 3 / 2,
    "1x1": 1.0,
    "share-16x9": 16 / 9,
    "share-4x3": 4 / 3,
    "share-1x1": 1.0,
    "og": 1200 / 630,
}


def test_renditions_come_in_every_crop_width_and_format(uploaded_image):
    image = uploaded_image(image_bytes((1600, 900), "PNG"), "wide.png")

    make_renditions(image)

    image.refresh_from_db()
    renditions = image.renditions
    # The whole picture at every device width up to its own (1920 would be an upscale).
    expected = keys("full", (320, 480, 640, 800, 1024, 1280, 1600))
    # 3:2 teasers, cut 1350 x 900 from the middle: up to 1350 wide.
    expected |= keys("3x2", (320, 480, 640, 800, 1024, 1280, 1350))
    expected |= keys("1x1", (160, 320, 640), ("webp", "jpg"))
    # Share cards are 1200 wide where the picture allows: the square is 900 x 900 at most.
    expected |= {"share-16x9-1200.jpg", "share-4x3-1200.jpg", "share-1x1-900.jpg"}
    expected |= {"og-1200.jpg"}
    assert set(renditions) == expected | {"source", "focal"}
    assert renditions["focal"] == "0.5000,0.5000"
    assert image.file.name.endswith(".png")
    assert renditions["source"] == image.file.name
    for key in expected:
        crop, _, rest = key.rpartition("-")
        width, extension = int(rest.split(".")[0]), rest.split(".")[1]
        with Image.open(default_storage.open(renditions[key])) as picture:
            assert (picture.format, picture.width) == (PILLOW_FORMATS[extension], width), key
            if crop == "full":
                assert picture.height == round(900 * width / 1600), key
            else:
                # Each width is made from the next wider one: a pixel of rounding either way.
                assert abs(picture.height - width / CROP_ASPECTS[crop]) <= 1, key
    with Image.open(default_storage.open(renditions["og-1200.jpg"])) as card:
        assert card.size == (1200, 630)


def test_small_images_are_never_upscaled(uploaded_image):
    image = uploaded_image(image_bytes((500, 250)))

    make_renditions(image)

    assert {key for key in image.renditions if key.startswith("full-")} == keys(
        "full", (320, 480, 500)
    )
    for key, name in image.renditions.items():
        if key in ("source", "focal"):
            continue
        with Image.open(default_storage.open(name)) as picture:
            assert picture.width <= 500 and picture.height <= 250, key


def test_gif_keeps_its_first_frame_as_png(uploaded_image):
    frames = [Image.new("P", (80, 60), index) for index in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    image = uploaded_image(buffer.getvalue(), "moving.gif")

    make_renditions(image)

    with Image.open(default_storage.open(image.file.name)) as picture:
        assert picture.format == "PNG"
        assert getattr(picture, "n_frames", 1) == 1


def test_processing_twice_changes_nothing(
    uploaded_image, media_root, django_capture_on_commit_callbacks
):
    image = uploaded_image(image_bytes((800, 600)))
    with django_capture_on_commit_callbacks(execute=True):
        make_renditions(image)
    image.refresh_from_db()
    first = (image.file.name, dict(image.renditions))
    files = media_files(media_root)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert make_renditions(image) is False

    image.refresh_from_db()
    assert (image.file.name, image.renditions) == first
    assert media_files(media_root) == files, "no file written or deleted"
    assert not callbacks, "nothing to delete"


def test_a_new_file_replaces_the_old_renditions(uploaded_image, django_capture_on_commit_callbacks):
    image = uploaded_image(image_bytes((800, 600)))
    make_renditions(image)
    image.refresh_from_db()
    old = [name for key, name in image.renditions.items() if key not in ("source", "focal")]

    image.file.save("new.png", ContentFile(image_bytes((700, 700), "PNG"), name="new.png"))
    with django_capture_on_commit_callbacks(execute=True):
        make_renditions(image)

    image.refresh_from_db()
    assert not any(default_storage.exists(name) for name in old)
    assert image.height == 700
    assert all(default_storage.exists(name) for name in stored_files(image.renditions))


def test_dropping_a_lead_image_leaves_the_library_image_and_its_renditions(
    make_image, make_article, django_capture_on_commit_callbacks
):
    # A library image may be used by other stories: a story letting go of it deletes nothing.
    # (Deleting an unused image deletes its files: tests/images/test_library_admin.py.)
    image = make_image()
    story = make_article(lead_image=image)

    with django_capture_on_commit_callbacks(execute=True):
        story.lead_image = None
        story.save()

    image.refresh_from_db()
    assert image.renditions
    assert all(default_storage.exists(name) for name in stored_files(image.renditions))


def test_anything_appended_to_the_image_is_dropped(uploaded_image):
    # Some cameras append their own data after the picture; it is accepted, and dropped. (A
    # script appended there is refused by the validator: tests/security/test_uploads.py.)
    content = image_bytes((120, 90)) + b"CAMERA-TRAILER" * 8
    validate_image(upload(content))
    image = uploaded_image(content)

    make_renditions(image)

    for name in [image.file.name, *stored_files(image.renditions)]:
        with default_storage.open(name) as handle:
            assert b"CAMERA-TRAILER" not in handle.read()


# Author photos ---------------------------------------------------------------------------


@pytest.fixture
def author_with_photo(db):
    def make(content: bytes, name="me.jpg") -> Author:
        return Author.objects.create(
            name="Nino Beridze", slug="nino-beridze", photo=SimpleUploadedFile(name, content)
        )

    return make


def test_author_photo_is_cleaned_upright_renamed_and_cut_square(
    author_with_photo, django_capture_on_commit_callbacks
):
    author = author_with_photo(photo_with_gps_and_rotation())
    uploaded_name = author.photo.name

    with django_capture_on_commit_callbacks(execute=True):
        process_author_photo(author)

    author.refresh_from_db()
    assert author.photo.name != uploaded_name
    assert not default_storage.exists(uploaded_name), "the upload with GPS must not linger"
    # Upright, 200 x 300: the square is 200 wide, so 288 would be an upscale.
    assert set(author.photo_renditions) == {"source", "focal"} | {
        f"{width}.{extension}" for width in (96, 192, 200) for extension in WEB_FORMATS
    }
    for name in [author.photo.name, *stored_files(author.photo_renditions)]:
        with default_storage.open(name) as handle:
            raw = handle.read()
        assert b"Newsroom Test Camera" not in raw and b"safe house" not in raw, name
        with Image.open(io.BytesIO(raw)) as picture:
            assert not picture.getexif(), name
            if name != author.photo.name:
                assert picture.width == picture.height, name
    with Image.open(default_storage.open(author.photo.name)) as original:
        assert original.size == (200, 300)


def test_author_photo_processed_twice_changes_nothing(author_with_photo, media_root):
    author = author_with_photo(image_bytes((400, 400)))
    process_author_photo(author)
    author.refresh_from_db()
    first = (author.photo.name, dict(author.photo_renditions))
    files = media_files(media_root)

    process_author_photo(author)

    author.refresh_from_db()
    assert (author.photo.name, author.photo_renditions) == first
    assert media_files(media_root) == files


def test_removing_an_author_photo_removes_its_renditions(
    author_with_photo, django_capture_on_commit_callbacks
):
    author = author_with_photo(image_bytes((400, 400)))
    process_author_photo(author)
    author.refresh_from_db()
    old = stored_files({k: v for k, v in author.photo_renditions.items() if k != "source"})
    assert old

    author.photo = None
    author.save()
    with django_capture_on_commit_callbacks(execute=True):
        process_author_photo(author)

    author.refresh_from_db()
    assert author.photo_renditions == {}
    assert not any(default_storage.exists(name) for name in old)


# Drawing a processed image: {% lead_picture %} and the sharing image ----------------------


def render_picture(article, loading="lazy") -> str:
    template = Template('{% load article_images %}{% lead_picture article "lead" loading %}')
    return template.render(Context({"article": article, "loading": loading}))


def test_picture_offers_avif_and_webp_with_a_jpeg_fallback(
    make_image, make_article, django_assert_num_queries
):
    image = make_image((1600, 900), alt_text="A test picture")
    story = make_article(lead_image=image)
    story = Article.objects.select_related("lead_image").get(pk=story.pk)
    renditions = story.lead_image.renditions
    url = default_storage.url

    with django_assert_num_queries(0):
        html = render_picture(story)

    widths = (320, 480, 640, 800, 1024, 1280, 1600)
    sizes = SLOTS["lead"].sizes
    assert html.startswith("<picture")
    for extension, mime in (("avif", "image/avif"), ("webp", "image/webp")):
        if extension not in WEB_FORMATS:
            continue
        srcset = ", ".join(f"{url(renditions[f'full-{w}.{extension}'])} {w}w" for w in widths)
        assert f'<source type="{mime}" srcset="{srcset}" sizes="{sizes}">' in html
    # Browsers without srcset get the widest JPEG up to 800 pixels.
    assert f'src="{url(renditions["full-800.jpg"])}"' in html
    assert f'{url(renditions["full-1600.jpg"])} 1600w"' in html
    assert 'width="1600" height="900"' in html
    assert 'alt="A test picture"' in html
    assert 'loading="lazy" decoding="async"' in html
    assert "fetchpriority" not in html


def test_picture_above_the_fold_is_eager_and_high_priority(make_image, make_article):
    story = make_article(lead_image=make_image((400, 300)))

    html = render_picture(story, loading="eager")

    assert 'loading="eager"' in html and 'fetchpriority="high"' in html


def test_alt_text_is_escaped_in_the_picture(make_image, make_article):
    story = make_article(lead_image=make_image((400, 300), alt_text='Dancers "on" <stage>'))

    html = render_picture(story)

    assert 'alt="Dancers &quot;on&quot; &lt;stage&gt;"' in html


def test_an_unprocessed_image_is_never_shown(uploaded_image, make_article):
    # Until it is processed the upload may carry its metadata (GPS): no <picture>, and never
    # the raw file as a fallback, as lead images once had.
    image = uploaded_image(photo_with_gps_and_rotation())
    story = make_article(lead_image=image)

    html = render_picture(story)

    assert html.strip() == ""
    assert image.file.url not in html


def test_picture_renders_nothing_without_an_image(published_article):
    assert render_picture(published_article).strip() == ""


def test_the_sharing_image_is_the_1200_by_630_og_crop(make_image, make_article):
    story = make_article(lead_image=make_image((1600, 900)))

    name = og_image_path(story)

    assert name == story.lead_image.renditions["og-1200.jpg"]
    with Image.open(default_storage.open(name)) as card:
        assert (card.format, card.size) == ("JPEG", (1200, 630))


# The process_images command --------------------------------------------------------------


def test_process_images_cleans_pictures_stored_before_the_pipeline(
    uploaded_image, author_with_photo
):
    author = author_with_photo(photo_with_gps_and_rotation(), "old.jpg")
    image = uploaded_image(photo_with_gps_and_rotation())
    output = io.StringIO()

    call_command("process_images", stdout=output)

    assert "Processed 2 pictures" in output.getvalue()
    author.refresh_from_db()
    image.refresh_from_db()
    assert author.photo_renditions and image.is_processed
    names = [
        author.photo.name,
        image.file.name,
        *stored_files(author.photo_renditions),
        *stored_files(image.renditions),
    ]
    for name in names:
        with default_storage.open(name) as handle:
            assert b"Newsroom Test Camera" not in handle.read(), name
    output = io.StringIO()
    call_command("process_images", stdout=output)
    assert "Processed 0 pictures" in output.getvalue()


def test_process_images_redraws_crops_for_a_moved_focal_point(make_image):
    image = make_image((600, 400))
    LibraryImage.objects.filter(pk=image.pk).update(focal_x=0.1)
    output = io.StringIO()

    call_command("process_images", stdout=output)

    assert "Processed 1 pictures" in output.getvalue()
    image.refresh_from_db()
    assert image.is_processed
    assert image.renditions["focal"] == "0.1000,0.5000"
