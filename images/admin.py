"""The image library in the admin: upload, describe, set the focal point, find, see uses.

An image is uploaded once and chosen by stories (their lead image, figures and galleries in
their text). The list searches titles, captions, credits, alt text and keywords, and filters
by keyword, uploader and use; each image's page lists where it is used. Deleting an image
that something uses is refused by the database (``PROTECT``), and the admin says which
stories hold it.
"""

import logging

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedDeletionsMixin
from images.forms import ImageAdminForm
from images.models import Image, ImageTag, protecting_relations
from images.rendering import crop_size, rendition_url
from images.services import make_renditions
from serving.translated_texts import other_languages, text_field_names

logger = logging.getLogger("newsroom.admin")
# Uses listed per relation on an image's page.
MAX_USES = 50


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
    # Uploaders only: the list of every account is no author's business.
    list_filter = (
        UseFilter,
        AltTextFilter,
        "tags",
        ("uploaded_by", admin.RelatedOnlyFieldListFilter),
        "created_at",
    )
    search_fields = ("title", "caption", "credit", "alt_text", "source", "tags__name")
    list_select_related = ("uploaded_by",)
    list_per_page = 40
    readonly_fields = (
        "focal_point_picker",
        "crops",
        "uploaded_by",
        "created_at",
        "in_other_languages",
    )
    change_form_template = "admin/images/image/change_form.html"
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
        (_("Upload"), {"fields": ("uploaded_by", "created_at")}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not text_field_names(Image):
            return fieldsets
        # The read-only view (an author looking at another's upload) has no form fields.
        may_change = self.has_change_permission(request, obj)
        # Pages in the other languages show the picture with these; left empty, the ones above.
        in_other_languages = (
            _("In other languages"),
            {
                "description": _(
                    "What pages in the other languages show. Left empty, they show the alt text "
                    "and caption above."
                ),
                "fields": text_field_names(Image) if may_change else ["in_other_languages"],
            },
        )
        return [fieldsets[0], in_other_languages, *fieldsets[1:]]

    @admin.display(description=_("alt text and caption"))
    def in_other_languages(self, obj):
        return (
            format_html_join(
                mark_safe("<br>"),
                '<span lang="{}">{}: {} — {}</span>',
                (
                    (code, name, words.get("alt_text") or "-", words.get("caption") or "-")
                    for code, name in other_languages()
                    if (words := obj.texts.get(code))
                ),
            )
            or self.get_empty_value_display()
        )

    class Media:
        js = ("js/admin/focal-point.js",)
        css = {"all": ("css/admin/images.css",)}

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Searching keywords joins them: one row per image all the same, without DISTINCT.
        if search_term:
            results = queryset.filter(Exists(results.filter(pk=OuterRef("pk"))))
        return results, False

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        # Editors (who may edit any story) change any image. Authors describe their own
        # uploads until a story uses them: from then on a change reaches published pages,
        # which only editors may change.
        if allowed and obj is not None and not request.user.has_perm("articles.edit_any_article"):
            return obj.uploaded_by_id == request.user.pk and not obj.is_in_use()
        return allowed

    def save_model(self, request, obj, form, change):
        if change:
            # Only what the form edits: the renditions, file name and size on the row may
            # have been rewritten since this request read it (make_renditions elsewhere).
            obj.save(update_fields=[name for name in form.changed_model_fields() if name != "tags"])
        else:
            obj.uploaded_by = request.user
            obj.save()
        warning = _("The image was saved, but its renditions could not be made.")
        process_picture_or_warn(self, request, make_renditions, obj, warning)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        image = self.get_object(request, unquote(object_id))
        if image is not None:
            extra_context = {**(extra_context or {}), **self.uses(request, image)}
        return super().change_view(request, object_id, form_url, extra_context)

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

    def uses(self, request, image) -> dict:
        """Return what uses *image* that *request*'s user may open, and whether there is more.

        Only what the user's own admin lists would show them: an author never learns the
        title of another author's draft from a picture they share.
        """
        targets = []
        for relation in protecting_relations(Image):
            rows = getattr(image, relation.get_accessor_name()).select_related()[:MAX_USES]
            # A link row (a story's body figure) stands for what it belongs to.
            targets += [row.usage_target() if hasattr(row, "usage_target") else row for row in rows]
        everything = {(type(target), target.pk): target for target in targets}
        visible = []
        for model in {model for model, _pk in everything}:
            model_admin = self.admin_site._registry.get(model)
            if model_admin is None or not model_admin.has_view_permission(request):
                continue
            pks = [pk for kind, pk in everything if kind is model]
            allowed = model_admin.get_queryset(request).filter(pk__in=pks)
            visible += [everything[model, pk] for pk in allowed.values_list("pk", flat=True)]
        return {
            "image_uses": [(self._change_url(target), str(target)) for target in visible],
            "image_used_elsewhere": len(visible) < len(everything),
        }

    @staticmethod
    def _change_url(target) -> str:
        opts = target._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])

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
