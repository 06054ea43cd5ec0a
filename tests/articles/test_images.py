"""Lead images: what the upload validator refuses, and what processing leaves behind."""

import io
import struct
import zlib

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template import Context, Template
from PIL import Image, PngImagePlugin

from articles.images import process_lead_image, validate_image
from articles.models import Article, Author


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


# Processing ------------------------------------------------------------------------------


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


@pytest.fixture
def article_with_image(make_article):
    def make(content: bytes, name="photo.jpg", **fields) -> Article:
        fields.setdefault("lead_image_alt", "A test picture")
        return make_article(lead_image=SimpleUploadedFile(name, content), **fields)

    return make


def test_processing_applies_orientation_and_strips_gps_exif_and_comments(article_with_image):
    article = article_with_image(photo_with_gps_and_rotation())
    uploaded_name = article.lead_image.name
    assert Image.open(default_storage.open(uploaded_name)).getexif().get_ifd(0x8825)

    process_lead_image(article)

    article.refresh_from_db()
    assert article.lead_image.name != uploaded_name
    assert not default_storage.exists(uploaded_name), "the upload with GPS must not linger"
    assert (article.lead_image_width, article.lead_image_height) == (200, 300)
    stored = [article.lead_image.name, *article.lead_image_renditions.values()]
    for name in stored:
        with default_storage.open(name) as handle:
            raw = handle.read()
        assert b"Newsroom Test Camera" not in raw
        assert b"safe house" not in raw
        image = Image.open(io.BytesIO(raw))
        assert not image.getexif(), name
        assert "xmp" not in image.info and "comment" not in image.info
    # The yellow corner was top-left before rotating clockwise: now it is top-right.
    upright = Image.open(default_storage.open(article.lead_image.name)).convert("RGB")
    assert upright.getpixel((190, 10))[2] < 100
    assert upright.getpixel((10, 10))[2] > 150


def test_metadata_is_stripped_even_when_no_rotation_is_needed(article_with_image):
    exif = Image.Exif()
    exif[0x010F] = "Newsroom Test Camera"
    exif.get_ifd(0x8825)[2] = (41.0, 43.0, 0.0)
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "<script>alert(1)</script>")
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), "teal").save(buffer, "PNG", exif=exif, pnginfo=text)
    article = article_with_image(buffer.getvalue(), "chart.png")

    process_lead_image(article)

    for name in [article.lead_image.name, *article.lead_image_renditions.values()]:
        with default_storage.open(name) as handle:
            raw = handle.read()
        assert b"Newsroom Test Camera" not in raw and b"<script>" not in raw, name
        assert not Image.open(io.BytesIO(raw)).getexif(), name


def test_renditions_have_the_right_widths_and_formats(article_with_image):
    article = article_with_image(image_bytes((1600, 900), "PNG"), "wide.png")

    process_lead_image(article)

    article.refresh_from_db()
    renditions = article.lead_image_renditions
    expected = {
        "320.webp": ("WEBP", 320),
        "320.jpg": ("JPEG", 320),
        "640.webp": ("WEBP", 640),
        "640.jpg": ("JPEG", 640),
        "1280.webp": ("WEBP", 1280),
        "1280.jpg": ("JPEG", 1280),
        "og.jpg": ("JPEG", 1200),
    }
    assert set(expected) <= set(renditions)
    for key, (fmt, width) in expected.items():
        with Image.open(default_storage.open(renditions[key])) as image:
            assert (image.format, image.width) == (fmt, width), key
            if key == "og.jpg":
                assert image.size == (1200, 630)
            else:
                assert image.height == round(900 * width / 1600)
    assert article.lead_image.name.endswith(".png")
    assert renditions["source"] == article.lead_image.name


def test_small_images_are_never_upscaled(article_with_image):
    article = article_with_image(image_bytes((500, 250)))

    process_lead_image(article)

    keys = {key for key in article.lead_image_renditions if key[0].isdigit()}
    assert keys == {"320.webp", "320.jpg", "500.webp", "500.jpg"}


def test_gif_keeps_its_first_frame_as_png(article_with_image):
    frames = [Image.new("P", (80, 60), index) for index in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    article = article_with_image(buffer.getvalue(), "moving.gif")

    process_lead_image(article)

    with Image.open(default_storage.open(article.lead_image.name)) as image:
        assert image.format == "PNG"
        assert getattr(image, "n_frames", 1) == 1


def test_processing_twice_changes_nothing(article_with_image, django_assert_num_queries):
    article = article_with_image(image_bytes((800, 600)))
    process_lead_image(article)
    article.refresh_from_db()
    first = dict(article.lead_image_renditions)

    with django_assert_num_queries(0):
        process_lead_image(article)

    article.refresh_from_db()
    assert article.lead_image_renditions == first


def test_a_new_image_replaces_the_old_renditions(article_with_image):
    article = article_with_image(image_bytes((800, 600)))
    process_lead_image(article)
    article.refresh_from_db()
    old = [name for key, name in article.lead_image_renditions.items() if key != "source"]

    article.lead_image = SimpleUploadedFile("new.png", image_bytes((700, 700), "PNG"))
    article.save()
    process_lead_image(article)

    article.refresh_from_db()
    assert not any(default_storage.exists(name) for name in old)
    assert article.lead_image_height == 700
    assert all(default_storage.exists(name) for name in article.lead_image_renditions.values())


def test_removing_the_image_removes_the_renditions(article_with_image):
    article = article_with_image(image_bytes((800, 600)))
    process_lead_image(article)
    article.refresh_from_db()
    old = [name for key, name in article.lead_image_renditions.items() if key != "source"]

    article.lead_image = None
    article.save()
    process_lead_image(article)

    article.refresh_from_db()
    assert article.lead_image_renditions == {}
    assert not any(default_storage.exists(name) for name in old)


def test_anything_appended_to_the_image_is_dropped(article_with_image):
    # Some cameras append their own data after the picture; it is accepted, and dropped. (A
    # script appended there is refused by the validator: tests/security/test_uploads.py.)
    content = image_bytes((120, 90)) + b"CAMERA-TRAILER" * 8
    validate_image(upload(content))
    article = article_with_image(content)

    process_lead_image(article)

    for name in [article.lead_image.name, *article.lead_image_renditions.values()]:
        with default_storage.open(name) as handle:
            assert b"CAMERA-TRAILER" not in handle.read()


# The {% lead_picture %} tag ----------------------------------------------------------------


def render_picture(article, **options) -> str:
    template = Template(
        '{% load article_images %}{% lead_picture article sizes="(min-width: 50em) 40em, 100vw" '
        "loading=loading %}"
    )
    return template.render(Context({"article": article, "loading": options.get("loading", "lazy")}))


def test_picture_offers_webp_with_a_jpeg_fallback(article_with_image, django_assert_num_queries):
    article = article_with_image(image_bytes((1600, 900)))
    process_lead_image(article)
    article = Article.objects.get(pk=article.pk)
    renditions = article.lead_image_renditions

    with django_assert_num_queries(0):
        html = render_picture(article)

    url = default_storage.url
    webp = f"{url(renditions['320.webp'])} 320w, {url(renditions['640.webp'])} 640w, "
    webp += f"{url(renditions['1280.webp'])} 1280w"
    assert html.startswith("<picture")
    assert (
        f'<source type="image/webp" srcset="{webp}" sizes="(min-width: 50em) 40em, 100vw">' in html
    )
    assert f'src="{url(renditions["640.jpg"])}"' in html
    assert f'{url(renditions["1280.jpg"])} 1280w"' in html
    assert 'width="1600" height="900"' in html
    assert 'alt="A test picture"' in html
    assert 'loading="lazy" decoding="async"' in html
    assert "fetchpriority" not in html


def test_picture_above_the_fold_is_eager_and_high_priority(article_with_image):
    article = article_with_image(image_bytes((400, 300)))
    process_lead_image(article)

    html = render_picture(article, loading="eager")

    assert 'loading="eager"' in html and 'fetchpriority="high"' in html


def test_picture_falls_back_to_the_original_without_renditions(article_with_image):
    article = article_with_image(image_bytes((400, 300)), lead_image_alt='Dancers "on" <stage>')

    html = render_picture(article)

    assert "<source" not in html
    assert f'src="{article.lead_image.url}"' in html
    assert 'alt="Dancers &quot;on&quot; &lt;stage&gt;"' in html


def test_picture_renders_nothing_without_an_image(published_article):
    assert render_picture(published_article).strip() == ""


def test_og_rendition_url_for_social_cards(article_with_image):
    article = article_with_image(image_bytes((1600, 900)))
    process_lead_image(article)

    html = Template("{% load article_images %}{% lead_image_url article %}").render(
        Context({"article": article})
    )

    assert html == default_storage.url(article.lead_image_renditions["og.jpg"])


def test_process_images_cleans_author_photos_stored_before_the_pipeline(db, article_with_image):
    author = Author.objects.create(
        name="Old Upload",
        slug="old-upload",
        photo=SimpleUploadedFile("old.jpg", photo_with_gps_and_rotation()),
    )
    story = article_with_image(photo_with_gps_and_rotation())
    output = io.StringIO()

    call_command("process_images", stdout=output)

    assert "Processed 2 pictures" in output.getvalue()
    author.refresh_from_db()
    story.refresh_from_db()
    for name in (*author.photo_renditions.values(), *story.lead_image_renditions.values()):
        with default_storage.open(name) as handle:
            assert b"Newsroom Test Camera" not in handle.read(), name
    output = io.StringIO()
    call_command("process_images", stdout=output)
    assert "Processed 0 pictures" in output.getvalue()
