"""Picture uploads through the admin (the image library, author photos): hostile files.

A staff upload that is not a plain picture is refused at the field with a message that says
why, never with a server error; everything else typed in the form comes back, and nothing
refused is left in storage. Scripts in an image's metadata are accepted with the picture
but never reach a stored file.
"""

import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from articles.models import Author
from images.models import Image as LibraryImage
from images.pipeline import WEB_FORMATS
from tests.security.forms import form_data

IMAGE_ADD_URL = reverse("admin:images_image_add")
SCRIPT = b"<script>alert(document.cookie)</script>"


def picture(fmt: str = "JPEG", size=(320, 200), **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 110, 60)).save(buffer, fmt, **options)
    return buffer.getvalue()


def gif_javascript_polyglot() -> bytes:
    """Return a GIF whose first bytes read as JavaScript: GIF89a/*…*/=alert(…)."""
    buffer = io.BytesIO()
    Image.new("P", (1, 1)).save(buffer, "GIF")
    gif = buffer.getvalue()
    return gif[:6] + b"/*" + gif[8:] + b"*/=alert(document.domain);//"


def png_claiming(width: int, height: int) -> bytes:
    """Return a tiny PNG whose header claims *width* x *height* pixels: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    data = zlib.compress(b"\x00" * 64)
    idat = (
        struct.pack(">I", len(data))
        + b"IDAT"
        + data
        + struct.pack(">I", zlib.crc32(b"IDAT" + data))
    )
    iend = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + ihdr + idat + iend


def forty_eight_megapixels() -> bytes:
    """Return a real 8000 x 6000 PNG: 1-bit pixels compress to a few kilobytes."""
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000), 0).save(buffer, "PNG")
    return buffer.getvalue()


def truncated_jpeg() -> bytes:
    """Return a JPEG cut in the middle of its pixel data (noise compresses to no padding)."""
    buffer = io.BytesIO()
    Image.effect_noise((400, 300), 64).convert("RGB").save(buffer, "JPEG")
    data = buffer.getvalue()
    return data[: len(data) // 2]


def jpeg_with_script_in_metadata() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = "<script>alert('exif')</script>"  # ImageDescription
    exif[0x8825] = {1: "N", 2: (41.0, 43.0, 0.0)}  # GPS: where the photographer stood
    jpeg = picture(exif=exif.tobytes())
    comment = b"<script>alert('comment')</script>"
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return jpeg[:2] + segment + jpeg[2:]


def upload_image(client, name: str, content: bytes):
    """Upload *content* as *name* with the library's add form, everything else filled in."""
    page = client.get(IMAGE_ADD_URL)
    data = form_data(
        page.content.decode(),
        "image_form",
        title="Harvest in the Fergana valley",
        alt_text="Cotton pickers at dawn in a field",
        caption="Cotton prices fell for the third year.",
        credit="Timur Aliev",
        source="Staff photo",
        focal_x="0.3",
        focal_y="0.6",
        tags="cotton, harvest",
    )
    data["file"] = SimpleUploadedFile(name, content)
    return client.post(IMAGE_ADD_URL, data)


def assert_refused(response, field: str, message: str, media_root) -> None:
    """Assert that the form came back with *message* on *field*, and no file was stored."""
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == [field]
    assert message in " ".join(form.errors[field])
    assert not [path for path in media_root.rglob("*") if path.is_file()], "a file was stored"


REFUSED = [
    (
        "an SVG with a script",
        "drawing.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" '
        b'onload="alert(1)"><script>alert(2)</script></svg>',
        "Files ending in .svg are not accepted",
    ),
    (
        "an SVG named like a photo",
        "photo.jpg",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3'
        b'.org/2000/svg"><script>alert(1)</script></svg>',
        "This is an SVG or HTML document",
    ),
    (
        "an HTML page named like a photo",
        "photo.png",
        b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>",
        "This is an SVG or HTML document",
    ),
    (
        "an HTML page with a byte order mark",
        "photo.webp",
        b"\xef\xbb\xbf  <html>" + SCRIPT,
        "This is an SVG or HTML document",
    ),
    ("a GIF that is also JavaScript", "cat.gif", gif_javascript_polyglot(), "disguised file"),
    (
        "a JPEG with a web page after it",
        "photo.jpg",
        picture() + b"<html><body>" + SCRIPT,
        "disguised file",
    ),
    ("a PNG with a script after it", "chart.png", picture("PNG") + SCRIPT, "disguised file"),
    (
        "a PHP script named like a photo",
        "shell.php.jpg",
        b"<?php system($_GET['c']); ?>",
        "not an image we can read",
    ),
    ("a decompression bomb", "bomb.png", png_claiming(60_000, 60_000), "at most 40 megapixels"),
    ("a PDF", "scan.jpg", b"%PDF-1.7\n1 0 obj <<>> endobj\n", "not an image we can read"),
    ("48 real megapixels", "poster.png", forty_eight_megapixels(), "8000 × 6000 pixels"),
    ("a JPEG cut in half", "cut.jpg", truncated_jpeg(), "damaged or incomplete"),
    ("a PNG missing its end", "cut.png", picture("PNG", (200, 200))[:-30], "damaged or incomplete"),
]


def stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_disguised_and_hostile_files_are_refused_with_a_clear_message(
    editor_client, media_root, name, content, message
):
    response = upload_image(editor_client, name, content)

    assert_refused(response, "file", message, media_root)
    assert not LibraryImage.objects.exists()
    # Nothing else typed is lost.
    form = response.context["adminform"].form
    assert form["title"].value() == "Harvest in the Fergana valley"
    html = response.content.decode()
    for typed in (
        "Harvest in the Fergana valley",
        "Cotton pickers at dawn in a field",
        "Cotton prices fell for the third year.",
        "Timur Aliev",
        "Staff photo",
        "cotton, harvest",
    ):
        assert typed in html, typed


def over_20_mb() -> bytes:
    """Return a real picture padded past 20 MB (made per test: it is big)."""
    return picture() + b"\x00" * (21 * 1024 * 1024)


def test_a_file_over_20_mb_is_refused_with_its_size(editor_client, media_root):
    response = upload_image(editor_client, "huge.jpg", over_20_mb())

    assert_refused(
        response, "file", "The file is 21.0 MB; pictures may be at most 20 MB", media_root
    )
    assert not LibraryImage.objects.exists()
    assert "Harvest in the Fergana valley" in response.content.decode()


def test_scripts_and_gps_in_image_metadata_are_stripped_from_every_stored_file(
    editor_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload_image(editor_client, "field.jpg", jpeg_with_script_in_metadata())

    assert response.status_code == 302, response.context["adminform"].form.errors
    image = LibraryImage.objects.get()
    assert image.title == "Harvest in the Fergana valley"
    names = [image.file.name, *(v for k, v in image.renditions.items() if k != "focal")]
    assert len(names) > 3
    for name in set(names):
        with default_storage.open(name) as handle:
            content = handle.read()
        assert b"<script" not in content, name
        with Image.open(io.BytesIO(content)) as stored:
            assert not stored.getexif(), name
            assert "comment" not in stored.info, name


def test_the_raw_upload_is_not_kept_once_the_image_is_saved(
    editor_client, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload_image(editor_client, "field.jpg", jpeg_with_script_in_metadata())

    assert response.status_code == 302
    image = LibraryImage.objects.get()
    kept = {str(path.relative_to(media_root)) for path in stored_files(media_root)}
    assert kept == {image.file.name, *(v for k, v in image.renditions.items() if k != "focal")}
    assert "field" not in " ".join(kept), "no uploader's file name in storage"


# -- Author photos: the same pipeline ----------------------------------------------------------

AUTHOR_ADD_URL = reverse("admin:articles_author_add")


def upload_author_photo(client, name: str, content: bytes):
    page = client.get(AUTHOR_ADD_URL)
    data = form_data(
        page.content.decode(), "author_form", name="Nino Beridze", slug="nino-beridze", bio="Bio."
    )
    data["photo"] = SimpleUploadedFile(name, content)
    return client.post(AUTHOR_ADD_URL, data)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        *[case[1:] for case in REFUSED],
        ("cv.pdf", gif_javascript_polyglot(), "Files ending in .pdf are not accepted"),
        ("photo.gif.pdf", picture("GIF") + SCRIPT, "Files ending in .pdf are not accepted"),
    ],
    ids=[*(case[0] for case in REFUSED), "a GIF named .pdf", "a GIF with a script named .pdf"],
)
def test_author_photos_refuse_what_library_images_refuse(
    editor_client, media_root, name, content, message
):
    response = upload_author_photo(editor_client, name, content)

    assert_refused(response, "photo", message, media_root)
    assert not Author.objects.exists()
    assert "Nino Beridze" in response.content.decode()


def test_an_author_photo_is_re_encoded_stripped_renamed_and_served_in_sizes(
    editor_client, make_article, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload_author_photo(
            editor_client, "me at home.jpeg", jpeg_with_script_in_metadata()
        )

    assert response.status_code == 302, response.context["adminform"].form.errors
    author = Author.objects.get()
    assert author.photo.name.startswith("authors/")
    assert author.photo.name.endswith(".jpg")
    assert "home" not in author.photo.name
    names = {author.photo.name, *(v for k, v in author.photo_renditions.items() if k != "focal")}
    # The clean original, and three widths in every format a <picture> offers.
    assert len(names) == 1 + 3 * len(WEB_FORMATS)
    # The raw upload, with its metadata, is gone once the new names are stored.
    assert {str(path.relative_to(media_root)) for path in stored_files(media_root)} == names
    for name in names:
        with default_storage.open(name) as handle:
            content = handle.read()
        assert b"<script" not in content, name
        with Image.open(io.BytesIO(content)) as stored:
            assert not stored.getexif(), name
            assert "comment" not in stored.info, name
            if name != author.photo.name:
                assert stored.width == stored.height, name  # square crops

    make_article(authors=[author])
    page = Client().get(author.get_absolute_url()).content.decode()
    assert 'srcset="' in page
    assert author.photo_renditions["192.jpg"] in page
    # The clean original is kept for later renditions, but pages show only the renditions.
    assert f'"{author.photo.url}"' not in page


def test_an_author_photo_over_20_mb_is_refused_with_its_size(editor_client, media_root):
    response = upload_author_photo(editor_client, "huge.jpg", over_20_mb())

    assert_refused(response, "photo", "The file is 21.0 MB", media_root)
    assert not Author.objects.exists()
    assert "Nino Beridze" in response.content.decode()


def test_a_file_that_is_not_a_picture_is_never_shown_inline(client, db, media_root):
    # Put there by hand or by an older release: offered as a download, and it can run nothing.
    (media_root / "authors").mkdir(parents=True)
    (media_root / "authors" / "cv.pdf").write_bytes(gif_javascript_polyglot())
    (media_root / "authors" / "page.html").write_bytes(b"<html>" + SCRIPT)
    for name in ("cv.pdf", "page.html"):
        response = client.get(f"/media/authors/{name}")
        assert response.status_code == 200
        assert response["Content-Disposition"] == "attachment"
        assert "sandbox" in response["Content-Security-Policy"]
