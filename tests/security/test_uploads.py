"""Lead-image uploads through the admin's story form: disguised and hostile files.

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

from articles.models import Article
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

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["lead_image"]
    assert message in " ".join(form.errors["lead_image"])
    assert not Article.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()], "a file was stored"
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
