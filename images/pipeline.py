"""Uploaded pictures, all through one pipeline with Pillow: lead images and author photos.

``validate_image()`` refuses anything that is not a plain raster picture before it is stored:
wrong formats, disguised files (SVG, HTML, polyglots), files over 20 MB, images over 40
megapixels (checked from the header, before any pixel is decoded) and damaged data.

``process_image()`` runs after a model with a picture is saved. It re-encodes the original,
under a new random name with the extension of what it really is, so that what we serve
carries no metadata (EXIF with GPS, XMP, comments, anything appended to the file) and stands
the right way up, then writes the renditions each kind of picture needs (:class:`Kind`).
``process_lead_image()`` and ``process_author_photo()`` store the result on their row. A lead
image gets 320, 640 and 1280 px wide renditions in WebP and JPEG for ``{% lead_picture %}``,
and a 1200x630 JPEG for social cards; an author photo, square ones for ``{% author_photo %}``.
Their storage names go to a JSON column (``Article.lead_image_renditions``)::

    {"source": "articles/2025/05/ab12.jpg", "320.webp": "...", "320.jpg": "...", ...,
     "og.jpg": "..."}

Keys are ``<width>.<format>`` with the real width of the file, so a picture narrower than the
widest rendition gets its own width instead of being upscaled. ``source`` records which
original the renditions were made from, which makes the call idempotent. Everything goes
through the file field's storage (``default_storage``), so it works with MEDIA_ROOT and with
object storage alike.
"""

import io
import posixpath
import re
import uuid
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from articles import page_changes

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Pillow format name -> (extension of the re-encoded original, format it is re-encoded in).
# A GIF keeps only its first frame, as a PNG: a lead image does not move.
ACCEPTED_FORMATS = {
    "JPEG": ("jpg", "JPEG"),
    "PNG": ("png", "PNG"),
    "WEBP": ("webp", "WEBP"),
    "GIF": ("png", "PNG"),
}
ACCEPTED_EXTENSIONS = {"jpg", "jpeg", "png", "webp", "gif"}
OG_SIZE = (1200, 630)
JPEG_QUALITY = 82
WEBP_QUALITY = 80
SOURCE_KEY = "source"

ACCEPTED_HELP = _("Upload a JPEG, PNG, WebP or GIF image.")


@dataclass(frozen=True)
class Kind:
    """The renditions one kind of picture needs."""

    widths: tuple[int, ...]
    # Width / height of the centred crop every rendition is cut to; None keeps the picture's.
    aspect: float | None = None
    share_card: bool = False


LEAD_IMAGE = Kind(widths=(320, 640, 1280), share_card=True)
# Drawn 96 px square on the author page: renditions for screens of one, two and three times.
AUTHOR_PHOTO = Kind(widths=(96, 192, 288), aspect=1.0)


def validate_image(uploaded_file) -> None:
    """Raise ValidationError unless *uploaded_file* is a picture we accept.

    The file position is back at the start afterwards, whatever happened.
    """
    size = _file_size(uploaded_file)
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; pictures may be at most 20 MB."),
            code="file_too_large",
            params={"size": f"{size / 1024 / 1024:.1f}"},
        )
    extension = _extension(getattr(uploaded_file, "name", "") or "")
    if extension and extension not in ACCEPTED_EXTENSIONS:
        raise ValidationError(
            _("Files ending in .%(extension)s are not accepted. %(help)s"),
            code="invalid_extension",
            params={"extension": extension, "help": ACCEPTED_HELP},
        )
    try:
        _check_image(uploaded_file)
    finally:
        uploaded_file.seek(0)


def _check_image(uploaded_file) -> None:
    uploaded_file.seek(0)
    head = uploaded_file.read(512)
    uploaded_file.seek(0)
    if _looks_like_markup(head):
        raise ValidationError(
            _("This is an SVG or HTML document, not a photo. %(help)s"),
            code="markup",
            params={"help": ACCEPTED_HELP},
        )
    # Pillow only warns between its own limit and twice that; turn the warning into an error
    # so that a bomb never reaches decoding.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(uploaded_file) as image:
                _check_header(image)
                # verify() checks the structure (PNG checksums, chunk order) without decoding.
                image.verify()
            uploaded_file.seek(0)
            with Image.open(uploaded_file) as image:
                if image.format == "JPEG":
                    # Decode at 1/8 scale: every byte of the stream is still read, so a
                    # truncated file still fails, at a fraction of the memory and time.
                    image.draft("RGB", (image.width // 8 or 1, image.height // 8 or 1))
                image.load()
                image_format = image.format
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_many_pixels() from error
        except UnidentifiedImageError as error:
            raise ValidationError(
                _("This file is not an image we can read. %(help)s"),
                code="not_an_image",
                params={"help": ACCEPTED_HELP},
            ) from error
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            # Pillow reports truncated and corrupt data with these.
            raise ValidationError(
                _("The image is damaged or incomplete (%(detail)s). Please export it again."),
                code="corrupt",
                params={"detail": str(error) or error.__class__.__name__},
            ) from error

    uploaded_file.seek(0)
    _check_hidden_code(uploaded_file.read(), image_format)


# Script or markup where a picture has none: after its last byte (a GIF/JS or JPEG/HTML
# polyglot), or a GIF header made to open a script comment ("GIF89a/*"). Metadata inside
# the picture (EXIF, comments) is not searched: process_lead_image() drops it all.
HIDDEN_CODE = re.compile(
    rb"(?i)<\s*(?:script|html|body|svg|iframe|object|embed|img|a\s)|<\?php|<!doctype"
    rb"|javascript:|\*/|\balert\s*\(|\beval\s*\(|\bdocument\s*\.|\bwindow\s*\."
)


def _check_hidden_code(data: bytes, image_format: str) -> None:
    end = _image_end(data, image_format)
    disguised = (image_format == "GIF" and data[6:8] == b"/*") or (
        end is not None and HIDDEN_CODE.search(data[end:]) is not None
    )
    if disguised:
        raise ValidationError(
            _(
                "This file carries a script or web page along with the picture (a disguised "
                "file), so it is refused. Export the picture again. %(help)s"
            ),
            code="hidden_code",
            params={"help": ACCEPTED_HELP},
        )


def _image_end(data: bytes, image_format: str) -> int | None:
    """Return the offset just past the picture's own last byte, or None if unsure."""
    try:
        if image_format == "PNG":
            position = 8
            while True:
                length = int.from_bytes(data[position : position + 4], "big")
                kind = data[position + 4 : position + 8]
                position += 12 + length
                if kind == b"IEND":
                    return position
                if position > len(data):
                    return None
        if image_format == "WEBP":
            size = int.from_bytes(data[4:8], "little")
            return 8 + size + (size & 1)
        if image_format == "GIF":
            return _gif_end(data)
        if image_format == "JPEG":
            return _jpeg_end(data)
    except (IndexError, ValueError):
        return None
    return None


def _skip_gif_sub_blocks(data: bytes, position: int) -> int:
    while data[position]:
        position += data[position] + 1
    return position + 1


def _gif_end(data: bytes) -> int | None:
    position = 13
    if data[10] & 0x80:  # global colour table
        position += 3 * 2 ** ((data[10] & 7) + 1)
    while True:
        block = data[position]
        if block == 0x3B:  # trailer
            return position + 1
        if block == 0x21:  # extension: label, then sub-blocks
            position = _skip_gif_sub_blocks(data, position + 2)
        elif block == 0x2C:  # image: descriptor, local colour table, LZW size, sub-blocks
            flags = data[position + 9]
            position += 10
            if flags & 0x80:
                position += 3 * 2 ** ((flags & 7) + 1)
            position = _skip_gif_sub_blocks(data, position + 1)
        else:
            return None


def _jpeg_end(data: bytes) -> int | None:
    position = 2
    while True:
        if data[position] != 0xFF:
            return None
        while data[position + 1] == 0xFF:  # fill bytes
            position += 1
        marker = data[position + 1]
        if marker == 0xD9:  # end of image
            return position + 2
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            position = data.index(b"\xff", position)
            while data[position + 1] in SCAN_BYTES:
                position = data.index(b"\xff", position + 2)


# After 0xFF inside scan data: a stuffed zero or a restart marker, not the scan's end.
SCAN_BYTES = {0x00, *range(0xD0, 0xD8)}


def _check_header(image: Image.Image) -> None:
    """Check format and pixel count from the header alone: nothing is decoded yet."""
    if image.format not in ACCEPTED_FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted. %(help)s"),
            code="invalid_format",
            params={"format": image.format or _("This kind of"), "help": ACCEPTED_HELP},
        )
    width, height = image.size
    if width < 1 or height < 1:
        raise ValidationError(_("The image has no pixels."), code="empty")
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(width, height)


def _too_many_pixels(width: int | None = None, height: int | None = None) -> ValidationError:
    if width and height:
        return ValidationError(
            _(
                "The image is %(width)s × %(height)s pixels (%(megapixels)s megapixels); "
                "pictures may have at most 40 megapixels."
            ),
            code="too_many_pixels",
            params={"width": width, "height": height, "megapixels": f"{width * height / 1e6:.0f}"},
        )
    return ValidationError(
        _("The image has far too many pixels; pictures may have at most 40 megapixels."),
        code="too_many_pixels",
    )


def _looks_like_markup(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<?xml", b"<svg", b"<!doctype", b"<html", b"<!--", b"<head"))


def _file_size(uploaded_file) -> int:
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, io.SEEK_END)
        size = uploaded_file.tell()
        uploaded_file.seek(0)
    return size


def _extension(name: str) -> str:
    base = posixpath.basename(name.replace("\\", "/"))
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


# Renditions ------------------------------------------------------------------------------


@dataclass
class Processed:
    name: str
    width: int
    height: int
    renditions: dict[str, str]


def process_image(field, previous: dict[str, str], kind: Kind) -> Processed | None:
    """Clean the picture in the file *field*, write its renditions, delete *previous* ones.

    Return what was written, or None when *previous* already belongs to this picture.
    """
    storage = field.storage
    if previous.get(SOURCE_KEY) == field.name and _renditions_exist(storage, previous):
        return None

    uploaded_name = field.name
    with storage.open(uploaded_name, "rb") as handle, Image.open(handle) as original:
        extension, save_format = ACCEPTED_FORMATS.get(original.format, ("jpg", "JPEG"))
        image = _clean(original)

    # Never overwrite in place: write the clean original under a new name first, so that a
    # failure half-way leaves the upload intact.
    directory = posixpath.dirname(uploaded_name)
    stem = uuid.uuid4().hex
    clean_name = storage.save(
        posixpath.join(directory, f"{stem}.{extension}"),
        ContentFile(_encode(image, save_format, full_size=True)),
    )
    renditions = {SOURCE_KEY: clean_name}
    renditions.update(_write_renditions(storage, image, directory, stem, kind))

    _delete_renditions(storage, previous)
    if uploaded_name != clean_name:
        storage.delete(uploaded_name)
    field.name = clean_name
    return Processed(clean_name, image.width, image.height, renditions)


def process_lead_image(article) -> None:
    """Clean the lead image of *article* and (re)build its renditions.

    Safe to call after every save: it does nothing when the renditions already belong to the
    current image. Writes only the derived columns, with an UPDATE (no save(), no signals).
    """
    _process_picture(article, "lead_image", LEAD_IMAGE, page_changes.picture_changed)


def process_author_photo(author) -> None:
    """Clean the photo of *author* and (re)build its renditions, as process_lead_image()."""
    _process_picture(author, "photo", AUTHOR_PHOTO, page_changes.author_photo_changed)


def _process_picture(instance, name: str, kind: Kind, changed) -> None:
    """Process the picture in the file field *name*; its renditions go to ``<name>_renditions``.

    ``<name>_width`` and ``<name>_height``, where the model has them, get the clean size.
    *changed* tells the page cache: an UPDATE sends no post_save, and cached pages would
    keep the old (maybe deleted) pictures.
    """
    field = getattr(instance, name)
    renditions_column = f"{name}_renditions"
    previous = dict(getattr(instance, renditions_column) or {})
    if not field:
        if previous:
            _delete_renditions(field.storage, previous)
            _update(instance, **{renditions_column: {}})
            changed(instance)
        return
    done = process_image(field, previous, kind)
    if done is None:
        return
    columns = {name: done.name, renditions_column: done.renditions}
    for column, value in ((f"{name}_width", done.width), (f"{name}_height", done.height)):
        if hasattr(instance, column):
            columns[column] = value
    _update(instance, **columns)
    changed(instance)


def rendition_url(article, key: str) -> str:
    """Return the URL of one rendition (e.g. "og.jpg"), or of the original if it is missing."""
    if not article.lead_image:
        return ""
    name = (article.lead_image_renditions or {}).get(key)
    if name:
        return article.lead_image.storage.url(name)
    return article.lead_image.url


def _clean(original: Image.Image) -> Image.Image:
    """Return the first frame, upright, in sRGB RGB/RGBA, with no metadata attached."""
    original.seek(0)
    image = ImageOps.exif_transpose(original)
    image = _to_srgb(image)
    if image.mode not in ("RGB", "RGBA"):
        has_alpha = "A" in image.mode or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    if image.mode == "RGBA" and image.getextrema()[3][0] == 255:
        image = image.convert("RGB")  # Fully opaque: the alpha channel only costs bytes.
    # exif_transpose() returned a new image, so this drops nothing the caller still holds:
    # no encoder can then write the source's EXIF, XMP, comments or ICC profile back out.
    image.info = {}
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return image
    mode = "RGBA" if image.mode == "RGBA" else "RGB"
    try:
        return ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            ImageCms.createProfile("sRGB"),
            outputMode=mode,
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        # A broken or exotic profile: fall back to the raw values, which is what most
        # browsers would show for an untagged image anyway.
        return image


def _write_renditions(
    storage, image: Image.Image, directory: str, stem: str, kind: Kind
) -> dict[str, str]:
    names = {}
    source = image
    if kind.aspect is not None:
        box = _cover_box(image.size, (kind.aspect, 1))
        source = image.crop(tuple(round(edge) for edge in box))
    # Widest first, each made from the previous one: resizing 1280 -> 640 is much cheaper
    # than original -> 640 and looks the same.
    widths = sorted({min(width, source.width) for width in kind.widths}, reverse=True)
    for width in widths:
        if width < source.width:
            height = max(1, round(source.height * width / source.width))
            source = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        for extension, save_format in (("webp", "WEBP"), ("jpg", "JPEG")):
            key = f"{source.width}.{extension}"
            names[key] = storage.save(
                posixpath.join(directory, f"{stem}-{key}"),
                ContentFile(_encode(source, save_format)),
            )
    if kind.share_card:
        social = image.resize(
            OG_SIZE,
            Image.Resampling.LANCZOS,
            box=_cover_box(image.size, OG_SIZE),
            reducing_gap=3.0,
        )
        names["og.jpg"] = storage.save(
            posixpath.join(directory, f"{stem}-og.jpg"), ContentFile(_encode(social, "JPEG"))
        )
    return names


def _cover_box(size: tuple[int, int], target: tuple[float, float]) -> tuple[float, ...]:
    """Return the centred crop of *size* that has the aspect ratio of *target* (CSS "cover")."""
    width, height = size
    ratio = target[0] / target[1]
    if width / height > ratio:
        crop = height * ratio
        return ((width - crop) / 2, 0, (width + crop) / 2, height)
    crop = width / ratio
    return (0, (height - crop) / 2, width, (height + crop) / 2)


def _encode(image: Image.Image, save_format: str, full_size: bool = False) -> bytes:
    buffer = io.BytesIO()
    if save_format == "JPEG":
        if image.mode == "RGBA":
            flat = Image.new("RGB", image.size, "white")
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        image.save(
            buffer,
            "JPEG",
            quality=90 if full_size else JPEG_QUALITY,
            optimize=not full_size,
            progressive=not full_size,
        )
    elif save_format == "WEBP":
        image.save(buffer, "WEBP", quality=90 if full_size else WEBP_QUALITY, method=4)
    else:
        image.save(buffer, save_format)
    return buffer.getvalue()


def _renditions_exist(storage, renditions: dict[str, str]) -> bool:
    names = [name for key, name in renditions.items() if key != SOURCE_KEY]
    return bool(names) and all(storage.exists(name) for name in names)


def _delete_renditions(storage, renditions: dict[str, str]) -> None:
    for key, name in renditions.items():
        if key != SOURCE_KEY and name:
            storage.delete(name)


def _update(instance, **fields) -> None:
    """Write derived columns with an UPDATE: no save(), no signals, no new story version."""
    for name, value in fields.items():
        # The file field itself already holds its new name (process_image()).
        if not isinstance(instance._meta.get_field(name), models.FileField):
            setattr(instance, name, value)
    type(instance)._default_manager.filter(pk=instance.pk).update(**fields)
