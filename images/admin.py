"""The image library in the admin: upload, describe, set the focal point, find, see uses.

An image is uploaded once and chosen by stories (their lead image, figures and galleries in
their text). The list searches titles, captions, credits, alt text and keywords, and filters
by keyword, uploader and use; each image's page lists where it is used. Deleting an image
that something uses is refused by the database (``PROTECT``), and the admin says which
stories hold it.
"""

import logging

from django.contrib import admin, messages
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedDeletionsMixin
from images.forms import ImageAdminForm
from images.models import Image, ImageTag
from images.rendering import crop_size, rendition_url
from images.services import delete_image_files, make_renditions

logger = logging.getLogger("newsroom.admin")


def process_picture_or_warn(model_admin, request, process, obj, warning) -> bool:
    """Run *process* on the picture of the saved *obj*; on failure, log and tell the user.

    The object is saved either way: a broken file or a storage hiccup must not turn the save
    into a server error. Pages show the picture once it is processed.
    """
    try:
        process(obj)
    except Exception:
        logger.exception("Could not process the picture of %s %s", obj._meta.label, obj.pk)
        model_admin.message_user(request, warning, messages.WARNING)
        return False
    return True


class UseFilter(admin.SimpleListFilter):
    title = _("use")
    parameter_name = "use"

    def lookups(self, request, model_admin):
        return (("used", _("Used by a story")), ("unused", _("Unused")))

    def queryset(self, request, queryset):
        if self.value() == "used":
            return queryset.in_use()
        if self.value() == "unused":
            return queryset.unused()
        return queryset


class AltTextFilter(admin.SimpleListFilter):
    title = _("alt text")
    parameter_name = "alt"

    def lookups(self, request, model_admin):
        return (("missing", _("Missing")), ("present", _("Present")))

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(alt_text="")
        if self.value() == "present":
            return queryset.exclude(alt_text="")
        return queryset


@admin.register(Image)
class ImageAdmin(AuditedDeletionsMixin, admin.ModelAdmin):
    form = ImageAdminForm
    list_display = (
        "thumbnail",
        "title",
        "size",
        "credit",
        "has_alt_text",
        "uploaded_by",
        "created_at",
    )
    list_display_links = ("thumbnail", "title")
    list_filter = (UseFilter, AltTextFilter, "tags", "uploaded_by", "created_at")
    search_fields = ("title", "caption", "credit", "alt_text", "source", "tags__name")
    list_select_related = ("uploaded_by",)
    list_per_page = 40
    readonly_fields = ("focal_point_picker", "crops", "uses", "uploaded_by", "created_at")
    fieldsets = (
        (None, {"fields": ("file", "title", "alt_text", "caption", "credit", "source", "tags")}),
        (
            _("Focal point"),
            {
                "description": _(
                    "Click on the subject of the picture: every crop (teasers, squares, "
                    "share cards) keeps that point in frame. Without a mouse, type the "
                    "position as shares of the width and height (0.5 is the middle)."
                ),
                "fields": ("focal_point_picker", "focal_x", "focal_y", "crops"),
            },
        ),
        (_("Uses"), {"fields": ("uses", "uploaded_by", "created_at")}),
    )

    class Media:
        js = ("js/admin/focal-point.js",)
        css = {"all": ("css/admin/images.css",)}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Searching keywords joins them: one row per image all the same, without DISTINCT.
        if search_term:
            results = queryset.filter(Exists(results.filter(pk=OuterRef("pk"))))
        return results, False

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        # Authors describe their own uploads; editors (who may edit any story) any image.
        if allowed and obj is not None and not request.user.has_perm("articles.edit_any_article"):
            return obj.uploaded_by_id == request.user.pk
        return allowed

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
        warning = _("The image was saved, but its renditions could not be made.")
        process_picture_or_warn(self, request, make_renditions, obj, warning)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        delete_image_files(obj)

    def delete_queryset(self, request, queryset):
        images = list(queryset)
        super().delete_queryset(request, queryset)
        for image in images:
            delete_image_files(image)

    # -- Columns and read-only fields -------------------------------------------------------

    @admin.display(description=_("picture"))
    def thumbnail(self, obj):
        url = rendition_url(obj, "1x1", 160)
        if not url:
            return _("(not processed)")
        return format_html(
            '<img src="{}" alt="" width="80" height="80" loading="lazy" decoding="async">', url
        )

    @admin.display(description=_("size"))
    def size(self, obj):
        return f"{obj.width} × {obj.height}" if obj.width else ""

    @admin.display(description=_("alt text"), boolean=True)
    def has_alt_text(self, obj):
        return bool(obj.alt_text.strip())

    @admin.display(description=_("picture"))
    def focal_point_picker(self, obj):
        url = rendition_url(obj, "full", 800)
        if not url:
            return _("Save the image first: the focal point is set on the picture.")
        return format_html(
            '<div class="focal-picker" data-focal-picker>'
            '<img src="{}" alt="{}" width="{}" height="{}">'
            '<span class="focal-picker__marker" style="left: {}%; top: {}%"></span></div>',
            url,
            _("Click on the subject to set the focal point"),
            *self._display_size(obj),
            round(obj.focal_x * 100, 2),
            round(obj.focal_y * 100, 2),
        )

    @admin.display(description=_("crops"))
    def crops(self, obj):
        shown = []
        for crop, label in (
            ("3x2", _("Teaser 3:2")),
            ("1x1", _("Square")),
            ("og", _("Share card")),
        ):
            url = rendition_url(obj, crop, 320)
            size = crop_size(obj, crop)
            if url and size:
                height = round(200 * size[1] / size[0])
                shown.append((url, height, label))
        if not shown:
            return ""
        return format_html(
            '<div class="image-crops">{}</div>',
            format_html_join(
                "",
                '<figure><img src="{}" alt="" width="200" height="{}">'
                "<figcaption>{}</figcaption></figure>",
                shown,
            ),
        )

    @admin.display(description=_("used in"))
    def uses(self, obj):
        if obj.pk is None:
            return ""
        targets = []
        for relation in obj._meta.related_objects:
            if relation.on_delete is not models.PROTECT:
                continue
            for user in getattr(obj, relation.get_accessor_name()).all()[:50]:
                # A link row (a story's body figure) names what it belongs to.
                targets.append(user.usage_target() if hasattr(user, "usage_target") else user)
        if not targets:
            return _("Not used yet.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((self._link(target),) for target in targets)),
        )

    @staticmethod
    def _link(target):
        opts = target._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])
        except NoReverseMatch:
            return str(target)
        return format_html('<a href="{}">{}</a>', url, target)

    @staticmethod
    def _display_size(obj) -> tuple[int, int]:
        width = min(obj.width or 800, 800)
        height = round(width * obj.height / obj.width) if obj.width else 533
        return width, height


@admin.register(ImageTag)
class ImageTagAdmin(AuditedDeletionsMixin, admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
