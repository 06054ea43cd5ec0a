"""Picture uploads through the admin (lead images, author photos): disguised and hostile files.

An editor's upload that is not a plain picture is refused at the field with a message that
says why, and everything else typed in the form comes back. Scripts in an image's metadata
are accepted with the picture but never reach a stored file.
"""

import io
import struct
import zlib

import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Article, Author
from tests.security.forms import form_data

ADD_URL = reverse("admin:articles_article_add")
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


def jpeg_with_script_in_metadata() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = "<script>alert('exif')</script>"  # ImageDescription
    exif[0x8825] = {1: "N", 2: (41.0, 43.0, 0.0)}  # GPS: where the photographer stood
    jpeg = picture(exif=exif.tobytes())
    comment = b"<script>alert('comment')</script>"
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return jpeg[:2] + segment + jpeg[2:]


@pytest.fixture
def editor_client(client, django_user_model):
    editor = django_user_model.objects.create_user("edna", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    return client


def upload_story(client, region, rubric, name: str, content: bytes):
    page = client.get(ADD_URL)
    data = form_data(
        page.content.decode(),
        "article_form",
        title="Harvest in the Fergana valley",
        slug="harvest-fergana",
        teaser="Cotton prices fell for the third year.",
        lead_image_alt="Fields at dawn",
        rubric=str(rubric.pk),
        region=str(region.pk),
    )
    data["lead_image"] = SimpleUploadedFile(name, content)
    return client.post(ADD_URL, data)


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
]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_disguised_and_hostile_files_are_refused_with_a_clear_message(
    editor_client, region, rubric, media_root, name, content, message
):
    response = upload_story(editor_client, region, rubric, name, content)

    assert_refused(response, "lead_image", message, media_root)
    assert not Article.objects.exists()
    # Nothing else typed is lost.
    html = response.content.decode()
    assert "Harvest in the Fergana valley" in html
    assert "Cotton prices fell for the third year." in html


def test_scripts_and_gps_in_image_metadata_are_stripped_from_every_stored_file(
    editor_client, region, rubric
):
    response = upload_story(
        editor_client, region, rubric, "field.jpg", jpeg_with_script_in_metadata()
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    story = Article.objects.get()
    names = [story.lead_image.name, *story.lead_image_renditions.values()]
    assert len(names) > 3
    for name in set(names):
        with default_storage.open(name) as handle:
            content = handle.read()
        assert b"<script" not in content, name
        with Image.open(io.BytesIO(content)) as stored:
            assert not stored.getexif(), name
            assert "comment" not in stored.info, name


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
def test_author_photos_refuse_what_lead_images_refuse(
    editor_client, media_root, name, content, message
):
    response = upload_author_photo(editor_client, name, content)

    assert_refused(response, "photo", message, media_root)
    assert not Author.objects.exists()
    assert "Nino Beridze" in response.content.decode()


def test_an_author_photo_is_re_encoded_stripped_renamed_and_served_in_sizes(
    editor_client, client, make_article
):
    response = upload_author_photo(editor_client, "me at home.jpeg", jpeg_with_script_in_metadata())

    assert response.status_code == 302, response.context["adminform"].form.errors
    author = Author.objects.get()
    assert author.photo.name.startswith("authors/")
    assert author.photo.name.endswith(".jpg")
    assert "home" not in author.photo.name
    names = {author.photo.name, *author.photo_renditions.values()}
    assert len(names) == 1 + 2 * 3  # the clean original, three widths in WebP and JPEG
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
    page = client.get(author.get_absolute_url()).content.decode()
    assert 'srcset="' in page
    assert author.photo_renditions["192.jpg"] in page
    # The clean original is kept for later renditions, but pages show only the renditions.
    assert f'"{author.photo.url}"' not in page


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
