"""Translations in the editors' admin: what the story list, the story form and the taxonomy
admins show and do about languages (``articles.translations`` does the work).

- The story list: each story's language, its versions in the other languages (linked), and
  "Out of date" on a translation whose original changed since; filters by language and by
  translation state. The versions of a whole page of stories are read in one query.
- The story form: "Translate into …" (``ArticleAdmin.translate_view``); on a translation, its
  original, and when out of date what changed there since, with "This translation is up to
  date with its original".
- Regions, rubrics and tags: their language, their translations, and "Translation of" to link
  a row to its versions in other languages (checked on the server: one row per language in a
  group).
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from articles import translations
from articles.models import Article, TagLanguage
from images.models import Image

# -- The story list ------------------------------------------------------------------------


def with_out_of_date(queryset):
    """Annotate each story with ``translation_out_of_date`` (translations.out_of_date())."""
    return queryset.annotate(
        translation_out_of_date=ExpressionWrapper(
            translations.out_of_date(), output_field=BooleanField()
        )
    )


def language_order(code: str) -> int:
    codes = [language for language, _name in settings.LANGUAGES]
    return codes.index(code) if code in codes else len(codes)


def attach_versions(rows, visible) -> None:
    """Give each of *rows* ``other_versions``: its translations among *visible*, in the site's
    order of languages, each with ``translation_out_of_date``. One query for all of them."""
    rows = list(rows)
    keys = {row.translation_key for row in rows}
    versions = {}
    if keys:
        listed = (
            with_out_of_date(visible.filter(translation_key__in=keys))
            .order_by()
            .only("pk", "title", "language", "translation_key", "source_digest")
        )
        for version in listed:
            versions.setdefault(version.translation_key, []).append(version)
    for row in rows:
        row.other_versions = sorted(
            (version for version in versions.get(row.translation_key, ()) if version.pk != row.pk),
            key=lambda version: language_order(version.language),
        )


class StoryChangeList(ChangeList):
    """The story list, with each listed story's other versions read in one query."""

    def get_results(self, request):
        super().get_results(request)
        # Evaluated here, once: the list's template iterates these same objects.
        attach_versions(self.result_list, Article.objects.editable_by(request.user))


class TranslationStateFilter(admin.SimpleListFilter):
    title = _("translations")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return (
            ("out_of_date", _("Translations out of date")),
            ("up_to_date", _("Translations up to date")),
            ("original", _("Originals (not translations)")),
        )

    def queryset(self, request, queryset):
        value = self.value()
        if value == "out_of_date":
            return queryset.filter(translations.out_of_date())
        if value == "up_to_date":
            return queryset.filter(translation_source__isnull=False).exclude(
                translations.out_of_date()
            )
        if value == "original":
            return queryset.filter(translation_source__isnull=True)
        return queryset


def out_of_date_marker():
    return format_html(
        '<strong class="translation-out-of-date">{}</strong>', gettext("Out of date")
    )


def versions_cell(obj):
    """The story list's "Translations" cell: out of date or not, and the other versions."""
    marker = out_of_date_marker() if getattr(obj, "translation_out_of_date", False) else ""
    links = format_html_join(
        " ",
        '<a href="{}" lang="{}" hreflang="{}" title="{}">{}</a>{}',
        (
            (
                reverse("admin:articles_article_change", args=[version.pk]),
                version.language,
                version.language,
                version.title,
                translations.language_label(version.language),
                format_html(" ({})", gettext("out of date"))
                if version.translation_out_of_date
                else "",
            )
            for version in getattr(obj, "other_versions", ())
        ),
    )
    return format_html("{}{}", marker, links) if marker and links else marker or links


# -- The story form ------------------------------------------------------------------------


def source_changed_at(translation_row: Article):
    """Return when the original last changed its title, teaser or body (its newest version
    with text other than the one before), or its last edit when its history says nothing."""
    source = translation_row.translation_source
    fields = ("title", "teaser", "body")
    versions = Article.history.model.objects.filter(id=source.pk)
    if translation_row.source_history_id is not None:
        versions = versions.filter(history_id__gte=translation_row.source_history_id)
    texts = list(versions.order_by("-history_date", "-history_id").values(*fields, "history_date"))
    current = tuple(getattr(source, name) for name in fields)
    changed_at = None
    for version in texts:
        if tuple(version[name] for name in fields) != current:
            break
        changed_at = version["history_date"]
    return changed_at or source.updated_at


def translation_context(request, article: Article, *, may_change: bool) -> dict:
    """Return what the story's change page shows about its language and translations."""
    visible = Article.objects.editable_by(request.user)
    versions = list(
        article.translations()
        .filter(pk__in=visible.values("pk"))
        .only("pk", "title", "language", "translation_key")
    )
    versions.sort(key=lambda version: language_order(version.language))
    context = {
        "story_language": translations.language_label(article.language),
        "other_versions": [
            (
                version,
                translations.language_label(version.language),
                reverse("admin:articles_article_change", args=[version.pk]),
            )
            for version in versions
        ],
    }
    if article.pk is not None and article.language != settings.LANGUAGE_CODE:
        context["undescribed_images"] = [
            (image, reverse("admin:images_image_change", args=[image.pk]))
            for image in Image.objects.filter(
                Q(lead_of_stories=article) | Q(body_uses__article=article)
            )
            .distinct()
            .order_by("title", "pk")
            if not (image.texts.get(article.language) or {}).get("alt_text")
        ]
        context["default_language"] = translations.language_label(settings.LANGUAGE_CODE)
    source = article.translation_source
    if source is not None:
        context["translation_source"] = source
        context["source_language"] = translations.language_label(source.language)
        if visible.filter(pk=source.pk).exists():
            context["source_url"] = reverse("admin:articles_article_change", args=[source.pk])
        if translations.is_out_of_date(article):
            context["out_of_date"] = True
            context["source_changed_at"] = source_changed_at(article)
            context["source_changes"] = translations.changes_since_translated(article)
            context["may_mark_up_to_date"] = may_change
    return context


def languages_to_translate_into(article: Article) -> list[tuple[str, str]]:
    """Return the site's languages *article* has no version in yet, as (code, name)."""
    taken = set(
        Article.objects.filter(translation_key=article.translation_key).values_list(
            "language", flat=True
        )
    )
    return [(code, str(name)) for code, name in settings.LANGUAGES if code not in taken]


class LanguageAutocompleteMixin:
    """Offer only the rows of the story's language in its region and rubric autocompletes.

    The story form's script (js/admin/story-language.js) sends the language chosen in the
    form with each autocomplete request; the form itself refuses a row of another language.
    """

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        language = request.GET.get("language")
        autocomplete = request.GET.get("model_name") == "article" and "field_name" in request.GET
        if autocomplete and language in dict(settings.LANGUAGES):
            queryset = queryset.filter(language=language)
        return queryset, may_have_duplicates


# -- Regions, rubrics and tags -------------------------------------------------------------


def language_of_form(form, stored: str | None) -> str:
    """Return the language a taxonomy form is about: posted, else stored, else asked for."""
    codes = dict(settings.LANGUAGES)
    for candidate in (
        form.data.get(form.add_prefix("language")) if form.is_bound else None,
        stored,
        form.initial.get("language"),
    ):
        if candidate in codes:
            return candidate
    return settings.LANGUAGE_CODE


def refuse_second_version(form, source, language: str, existing) -> None:
    """Refuse a "Translation of" that would give *source*'s group two rows in *language*."""
    form.add_error(
        "translation_of",
        gettext("“%(name)s” already has a version in %(language)s: “%(existing)s”.")
        % {"name": source, "language": translations.language_label(language), "existing": existing},
    )


class TranslationOfField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        language = getattr(obj, "language", None)
        if language is None:
            info = getattr(obj, "language_info", None)
            language = info.language if info else settings.LANGUAGE_CODE
        return f"{obj} ({translations.language_label(language)})"


class TaxonomyTranslationForm(forms.ModelForm):
    """A region's or rubric's form: its language, and which row of another language it
    translates (then both share a translation group)."""

    translation_of = TranslationOfField(
        label=_("Translation of"),
        queryset=None,
        required=False,
        help_text=_(
            "The same region or rubric in another language, if it has one there: the site "
            "then links their pages as translations of each other."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        stored = self.instance.language if self.instance.pk else None
        self.language = language_of_form(self, stored)
        taken = model.objects.filter(language=self.language).values("translation_key")
        self.fields["translation_of"].queryset = (
            model.objects.exclude(language=self.language)
            .exclude(translation_key__in=taken)
            .order_by("language", "name")
        )
        if self.instance.pk:
            group = self.instance.translations()
            first = group.first()
            if first is not None:
                # Already linked: show it (the choice is only for rows without a version).
                self.fields["translation_of"].queryset |= model.objects.filter(pk=first.pk)
                self.initial.setdefault("translation_of", first.pk)

    def clean(self):
        cleaned_data = super().clean()
        language = cleaned_data.get("language")
        source = cleaned_data.get("translation_of")
        instance = self.instance
        model = self._meta.model
        if not language:
            return cleaned_data
        kind = model._meta.verbose_name
        if instance.pk and language != instance.language:
            if instance.articles.exists():
                self.add_error(
                    "language",
                    gettext(
                        "Stories use this %(kind)s, so its language stays %(language)s. To "
                        "have it in another language, add a translation of it instead."
                    )
                    % {"kind": kind, "language": translations.language_label(instance.language)},
                )
                return cleaned_data
            if instance.translations().filter(language=language).exists():
                self.add_error(
                    "language",
                    gettext("Its translation group already has a %(kind)s in %(language)s.")
                    % {"kind": kind, "language": translations.language_label(language)},
                )
                return cleaned_data
        if source is None:
            return cleaned_data
        if source.language == language:
            self.add_error(
                "translation_of",
                gettext("“%(name)s” is in %(language)s too: a translation is in another language.")
                % {"name": source, "language": translations.language_label(language)},
            )
            return cleaned_data
        if instance.pk and source.translation_key == instance.translation_key:
            return cleaned_data
        if instance.pk and instance.translations().exists():
            self.add_error(
                "translation_of",
                gettext(
                    "This %(kind)s is already linked to its translations; it cannot join "
                    "another group."
                )
                % {"kind": kind},
            )
            return cleaned_data
        existing = (
            model.objects.filter(translation_key=source.translation_key, language=language)
            .exclude(pk=instance.pk)
            .first()
        )
        if existing is not None:
            refuse_second_version(self, source, language, existing)
        return cleaned_data

    def save(self, commit=True):
        source = self.cleaned_data.get("translation_of")
        if source is not None:
            self.instance.translation_key = source.translation_key
        return super().save(commit)


class TranslatableTaxonomyAdminMixin(LanguageAutocompleteMixin):
    """Regions and rubrics: language column and filter, their translations, and links that
    open a prefilled form for each language they have no version in yet."""

    form = TaxonomyTranslationForm
    change_form_template = "admin/articles/translatable_change_form.html"

    def get_list_display(self, request):
        return (*super().get_list_display(request), "language", "translation_links")

    def get_list_filter(self, request):
        return (*super().get_list_filter(request), "language")

    def get_changelist(self, request, **kwargs):
        admin_site_model = self.model

        class TaxonomyChangeList(ChangeList):
            def get_results(self, request):
                super().get_results(request)
                rows = list(self.result_list)
                keys = {row.translation_key for row in rows}
                group = {}
                for version in admin_site_model.objects.filter(translation_key__in=keys):
                    group.setdefault(version.translation_key, []).append(version)
                for row in rows:
                    row.other_versions = sorted(
                        (v for v in group.get(row.translation_key, ()) if v.pk != row.pk),
                        key=lambda v: language_order(v.language),
                    )

        return TaxonomyChangeList

    @admin.display(description=_("translations"))
    def translation_links(self, obj):
        opts = self.model._meta
        return format_html_join(
            ", ",
            '<a href="{}" lang="{}">{}</a> ({})',
            (
                (
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[v.pk]),
                    v.language,
                    v.name,
                    translations.language_label(v.language),
                )
                for v in getattr(obj, "other_versions", ())
            ),
        )

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name != "translation_of"]
        return [*fields, "translation_of"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = {}
        if obj is not None and self.has_add_permission(request):
            opts = self.model._meta
            add_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            taken = set(obj.translations().values_list("language", flat=True)) | {obj.language}
            extra["translate_links"] = [
                (
                    name,
                    f"{add_url}?" + self.prefill(obj, code).urlencode(),
                )
                for code, name in settings.LANGUAGES
                if code not in taken
            ]
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def prefill(self, obj, language: str) -> QueryDict:
        query = QueryDict(mutable=True)
        query.update(
            {
                "language": language,
                "translation_of": str(obj.pk),
                "name": obj.name,
                "slug": obj.slug,
                "description": obj.description,
            }
        )
        return query


class TagTranslationForm(forms.ModelForm):
    """A tag's form, with its language and which tag of another language it translates."""

    language = forms.ChoiceField(label=_("language"), choices=())
    translation_of = TranslationOfField(
        label=_("Translation of"),
        queryset=Tag.objects.none(),
        required=False,
        help_text=_(
            "The same tag in another language: its page then links to this one as a "
            "translation. One tag per language in a group."
        ),
    )

    class Meta:
        model = Tag
        fields = ("name", "slug")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES
        info = TagLanguage.objects.filter(tag=self.instance).first() if self.instance.pk else None
        self.info = info
        stored = info.language if info else (settings.LANGUAGE_CODE if self.instance.pk else None)
        self.initial.setdefault("language", stored or settings.LANGUAGE_CODE)
        language = language_of_form(self, stored)
        taken = TagLanguage.objects.filter(language=language).values("translation_key")
        # A tag with no language row counts as the default language's.
        others = Tag.objects.exclude(language_info__translation_key__in=taken)
        if language == settings.LANGUAGE_CODE:
            others = others.filter(language_info__isnull=False).exclude(
                language_info__language=language
            )
        else:
            others = others.exclude(language_info__language=language)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        queryset = others.select_related("language_info").order_by("name")
        if info is not None:
            linked = TagLanguage.objects.filter(translation_key=info.translation_key).exclude(
                tag=self.instance
            )
            first = linked.first()
            if first is not None:
                queryset |= Tag.objects.filter(pk=first.tag_id).select_related("language_info")
                self.initial.setdefault("translation_of", first.tag_id)
        self.fields["translation_of"].queryset = queryset

    def clean(self):
        cleaned_data = super().clean()
        language = cleaned_data.get("language")
        source = cleaned_data.get("translation_of")
        if not language:
            return cleaned_data
        if (
            self.info is not None
            and language != self.info.language
            and TagLanguage.objects.filter(
                translation_key=self.info.translation_key, language=language
            )
            .exclude(tag=self.instance)
            .exists()
        ):
            self.add_error(
                "language",
                gettext("Its translation group already has a tag in %(language)s.")
                % {"language": translations.language_label(language)},
            )
            return cleaned_data
        if source is None:
            return cleaned_data
        source_info = TagLanguage.objects.filter(tag=source).first()
        source_language = source_info.language if source_info else settings.LANGUAGE_CODE
        if source_language == language:
            self.add_error(
                "translation_of",
                gettext("“%(name)s” is in %(language)s too: a translation is in another language.")
                % {"name": source, "language": translations.language_label(language)},
            )
            return cleaned_data
        if source_info is None:
            return cleaned_data
        if self.info is not None and source_info.translation_key == self.info.translation_key:
            return cleaned_data
        if (
            self.info is not None
            and TagLanguage.objects.filter(translation_key=self.info.translation_key)
            .exclude(tag=self.instance)
            .exists()
        ):
            self.add_error(
                "translation_of",
                gettext(
                    "This tag is already linked to its translations; it cannot join another group."
                ),
            )
            return cleaned_data
        existing = (
            TagLanguage.objects.filter(
                translation_key=source_info.translation_key, language=language
            )
            .exclude(tag=self.instance.pk)
            .select_related("tag")
            .first()
        )
        if existing is not None:
            refuse_second_version(self, source, language, existing.tag)
        return cleaned_data

    def save_language(self, tag: Tag) -> None:
        """Store the tag's language and translation group (after the tag itself is saved)."""
        language = self.cleaned_data["language"]
        source = self.cleaned_data.get("translation_of")
        info = TagLanguage.objects.filter(tag=tag).first() or TagLanguage(tag=tag)
        info.language = language
        if source is not None:
            source_info, _created = TagLanguage.objects.get_or_create(
                tag=source, defaults={"language": settings.LANGUAGE_CODE}
            )
            info.translation_key = source_info.translation_key
        info.save()


def tag_language_cell(tag: Tag) -> str:
    info = getattr(tag, "language_info", None)
    return translations.language_label(info.language if info else settings.LANGUAGE_CODE)


class TagLanguageFilter(admin.SimpleListFilter):
    """Tags by language: a tag no story has carried yet counts as the default language's."""

    title = _("language")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return settings.LANGUAGES

    def queryset(self, request, queryset):
        value = self.value()
        if value not in dict(settings.LANGUAGES):
            return queryset
        return queryset.filter(pk__in=translations.tags_in_language(value).values("pk"))
