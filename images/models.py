"""The image library: a picture is uploaded once and used by any number of stories.

Each image carries what using it needs (alt text, caption, credit, source and licence) and a
focal point, which every fixed-shape crop keeps in frame (``images.pipeline``). Its renditions
live in a JSON column on the row, so a page needs no query beyond the row to draw it. What
uses an image points at it with ``on_delete=PROTECT``: an image in use cannot be deleted.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image as PILImage
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from images.pipeline import FOCAL_KEY, SOURCE_KEY
from serving.translated_texts import TranslatedTexts


def image_path(instance, filename: str) -> str:
    """Store uploads under a date folder with a random name (no user text in paths)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"images/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class ImageTag(TagBase):
    """A keyword of the library ("protest", "Baku"): kept apart from the stories' public tags."""

    class Meta:
        verbose_name = _("image keyword")
        verbose_name_plural = _("image keywords")


class TaggedImage(TaggedItemBase):
    tag = models.ForeignKey(ImageTag, on_delete=models.CASCADE, related_name="tagged_images")
    content_object = models.ForeignKey("Image", on_delete=models.CASCADE)


class ImageQuerySet(models.QuerySet):
    def in_use(self):
        """Return the images something points at (a story's lead image, a body figure…)."""
        return self.filter(self._used_by_anything())

    def unused(self):
        return self.exclude(self._used_by_anything())

    def _used_by_anything(self) -> Q:
        # Every relation that protects an image, whichever app declares it: this app knows
        # none of them by name. One EXISTS each: a join would repeat an image per use.
        used = Q(pk__in=[])
        for relation in protecting_relations(self.model):
            used |= Exists(
                relation.related_model._default_manager.filter(
                    **{relation.field.name: OuterRef("pk")}
                )
            )
        return used


def protecting_relations(model) -> list:
    """Return the relations that point at *model* with ``on_delete=PROTECT``."""
    return [
        relation for relation in model._meta.related_objects if relation.on_delete is models.PROTECT
    ]


focal_coordinate = [MinValueValidator(0.0), MaxValueValidator(1.0)]


class Image(TranslatedTexts):
    # In the other languages of the site, for the pages in them (serving.translated_texts).
    TRANSLATED_FIELDS = ("alt_text", "caption")

    title = models.CharField(
        _("title"),
        max_length=255,
        help_text=_("For finding it in the library; readers never see it."),
    )
    file = models.ImageField(
        _("file"), upload_to=image_path, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    alt_text = models.CharField(
        _("alt text"),
        max_length=250,
        blank=True,
        help_text=_(
            "What the picture shows, for readers who cannot see it. Needed before the image "
            "can be used in a story."
        ),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(_("credit"), max_length=150, blank=True)
    source = models.CharField(
        _("source and licence"),
        max_length=300,
        blank=True,
        help_text=_(
            "Where the picture comes from and on what terms we may use it. Not shown to readers."
        ),
    )
    # Where the subject is, as a share of the width and height from the top left: every crop
    # keeps this point in frame. Set by clicking on the picture in the admin.
    focal_x = models.FloatField(_("focal point (across)"), default=0.5, validators=focal_coordinate)
    focal_y = models.FloatField(_("focal point (down)"), default=0.5, validators=focal_coordinate)
    tags = TaggableManager(_("keywords"), through=TaggedImage, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # When the current renditions were made (images.services.make_renditions).
    processed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Derived from file and focal point by images.services.make_renditions().
    renditions = models.JSONField(default=dict, blank=True, editable=False)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.file and (self.width is None or self.height is None):
            # ImageField cannot always read the size of a file saved from memory
            # (FieldFile.save() with a ContentFile): ask Pillow, from the stored file.
            with (
                self.file.storage.open(self.file.name, "rb") as handle,
                PILImage.open(handle) as picture,
            ):
                self.width, self.height = picture.size
        super().save(*args, **kwargs)

    @property
    def focal_point(self) -> tuple[float, float]:
        return (self.focal_x, self.focal_y)

    @property
    def is_processed(self) -> bool:
        """Whether the renditions belong to the current file and focal point."""
        return (
            self.renditions.get(SOURCE_KEY) == self.file.name
            and self.renditions.get(FOCAL_KEY) == f"{self.focal_x:.4f},{self.focal_y:.4f}"
        )

    def is_in_use(self) -> bool:
        """Whether anything uses this image (and so protects it)."""
        return type(self).objects.filter(pk=self.pk).in_use().exists()

    def is_usable(self) -> bool:
        """Whether a story may show this image: readers who cannot see it need its alt text."""
        return bool(self.alt_text.strip())

    def check_usable(self) -> None:
        """Raise ValidationError unless a story may show this image (it has its alt text)."""
        if not self.is_usable():
            raise ValidationError(
                _(
                    "The image “%(title)s” has no alt text yet. Describe it in the image "
                    "library first, so that readers who cannot see it know what it shows."
                ),
                code="no_alt_text",
                params={"title": self.title},
            )
