"""Stories in several languages: making a translation, keeping it up to date, and the addresses
of a page in the other languages.

A translation is a story of its own in another language (``Translatable``), made from a source
story by :func:`translate_story`: title, teaser, body (with its pictures and embeds), lead image,
authors and the "reviews open" choice are copied; region, rubric and tags are mapped to their
versions in the target language (shared ``translation_key``), which must exist for the region
and rubric. The copy is a draft: the translator writes, an editor publishes it.

A translation remembers what its source said when it was last brought up to date (the source's
content digest and history version). Once the source's title, teaser or body changes, the
translation is *out of date* (:meth:`ArticleQuerySet`-level :func:`out_of_date`), until an
editor marks it up to date again (:func:`mark_up_to_date`); :func:`changes_since_translated`
shows what changed in the source meanwhile.

Alternates (``<link rel="alternate" hreflang>``, the language switcher, the sitemaps'
``xhtml:link``) list only pages that exist: a story's published translations; a region's or
rubric's versions; a tag's translations whose page has a public story in their language; an
author's pages in the languages they have public stories in.
"""

import difflib
import html
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.signals import m2m_changed
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from articles.models import Article, Author, TagLanguage, ascii_slug
from serving.languages import language_codes


class TranslationRefused(Exception):
    """The translation cannot be made yet; the message says what to do first."""


def tag_language(tag: Tag) -> str:
    """Return the language of *tag*: its own, else the default (a tag no story carries yet)."""
    info = TagLanguage.objects.filter(tag=tag).values_list("language", flat=True).first()
    return info or settings.LANGUAGE_CODE


def tags_in_language(language: str):
    """Return the tags of *language*: the ones with no language yet count as the default's."""
    if language == settings.LANGUAGE_CODE:
        return Tag.objects.filter(
            Q(language_info__language=language) | Q(language_info__isnull=True)
        )
    return Tag.objects.filter(language_info__language=language)


def _story_tags_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """Give a tag the language of the first story that carries it."""
    if action != "post_add" or reverse or not pk_set or not isinstance(instance, Article):
        return
    without = Tag.objects.filter(pk__in=pk_set, language_info__isnull=True).values_list(
        "pk", flat=True
    )
    TagLanguage.objects.bulk_create(
        [TagLanguage(tag_id=pk, language=instance.language) for pk in without],
        ignore_conflicts=True,
    )


def connect() -> None:
    m2m_changed.connect(
        _story_tags_changed,
        sender=Article.tags.through,
        dispatch_uid="articles_tag_language",
    )


# Making and keeping translations


def _version_in(row, language: str, kind: str):
    version = row.translation_in(language)
    if version is None:
        raise TranslationRefused(
            _(
                "The %(kind)s “%(name)s” has no version in %(language)s yet: add it (with the "
                "same translation group) before translating stories of it."
            )
            % {"kind": kind, "name": row.name, "language": language_label(language)}
        )
    return version


def language_label(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def missing_for(source: Article, language: str) -> list[str]:
    """Return what *source* needs in *language* before it can be translated (empty: nothing)."""
    problems = []
    if source.language == language:
        problems.append(str(_("The story is already in that language.")))
    if language not in dict(settings.LANGUAGES):
        problems.append(str(_("That language is not one of the site's.")))
    existing = source.translation_in(language)
    if existing is not None and existing != source:
        problems.append(
            str(_("It already has a translation in that language: “%(title)s”."))
            % {"title": existing.title}
        )
    for row, kind in ((source.region, _("region")), (source.rubric, _("rubric"))):
        if row.translation_in(language) is None:
            problems.append(
                str(
                    _(
                        "The %(kind)s “%(name)s” has no version in %(language)s yet: add it "
                        "first (Regions and Rubrics, “Translate”)."
                    )
                )
                % {"kind": kind, "name": row.name, "language": language_label(language)}
            )
    return problems


def untranslated_tags(source: Article, language: str) -> list[Tag]:
    """Return the tags of *source* that have no version in *language* (left off a translation)."""
    mapped = tag_map(list(source.tags.all()), language)
    return [tag for tag in source.tags.all() if tag.pk not in mapped]


def tag_map(tags: list[Tag], language: str) -> dict[int, Tag]:
    """Return, for each of *tags* that has one, its version in *language*, by the tag's pk."""
    keys = dict(TagLanguage.objects.filter(tag__in=tags).values_list("tag_id", "translation_key"))
    versions = {
        info.translation_key: info.tag
        for info in TagLanguage.objects.filter(
            translation_key__in=keys.values(), language=language
        ).select_related("tag")
    }
    return {pk: versions[key] for pk, key in keys.items() if key in versions}


@transaction.atomic
def translate_story(source: Article, language: str, *, by) -> Article:
    """Make a draft translation of *source* in *language* and return it (see the module)."""
    problems = missing_for(source, language)
    if problems:
        raise TranslationRefused(" ".join(problems))
    slug = ascii_slug(f"{source.slug}-{language}", 200)
    base, number = slug, 2
    while Article.objects.filter(slug=slug).exists():
        slug, number = f"{base[:190]}-{number}", number + 1
    translation_row = Article(
        language=language,
        translation_key=source.translation_key,
        translation_source=source,
        title=source.title,
        slug=slug,
        teaser=source.teaser,
        body=source.body,
        lead_image=source.lead_image,
        region=_version_in(source.region, language, _("region")),
        rubric=_version_in(source.rubric, language, _("rubric")),
        allow_reviews=source.allow_reviews,
        status=Article.Status.DRAFT,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _remember_source(translation_row, source)
    translation_row.save()
    translation_row.authors.set(source.authors.all())
    translation_row.tags.set(list(tag_map(list(source.tags.all()), language).values()))
    return translation_row


def _remember_source(translation_row: Article, source: Article) -> None:
    translation_row.source_digest = source.content_digest
    translation_row.source_history_id = latest_history_id(source)


def latest_history_id(article: Article) -> int | None:
    return (
        Article.history.model.objects.filter(id=article.pk)
        .order_by("-history_date", "-history_id")
        .values_list("history_id", flat=True)
        .first()
    )


def mark_up_to_date(translation_row: Article) -> None:
    """Record that *translation_row* now says what its source says."""
    source = translation_row.translation_source
    if source is None:
        return
    _remember_source(translation_row, source)
    Article.objects.filter(pk=translation_row.pk).update(
        source_digest=translation_row.source_digest,
        source_history_id=translation_row.source_history_id,
    )


def is_out_of_date(translation_row: Article) -> bool:
    source = translation_row.translation_source
    return source is not None and source.content_digest != translation_row.source_digest


def out_of_date() -> Q:
    """The rule for translations whose source changed since they were last brought up to date."""
    return Q(translation_source__isnull=False) & ~Q(
        source_digest=F("translation_source__content_digest")
    )


@dataclass
class FieldChange:
    label: str
    lines: list[tuple[str, str]]  # (" ", "-" or "+", text)


def changes_since_translated(translation_row: Article) -> list[FieldChange]:
    """Return what changed in the source's title, teaser and body since *translation_row* was
    last up to date with it: for each changed field, its paragraphs as kept, removed or added."""
    source = translation_row.translation_source
    if source is None:
        return []
    then = None
    if translation_row.source_history_id is not None:
        then = Article.history.model.objects.filter(
            history_id=translation_row.source_history_id
        ).first()
    changes = []
    for name in ("title", "teaser", "body"):
        before = _paragraphs(getattr(then, name, "") if then is not None else "")
        after = _paragraphs(getattr(source, name))
        if before == after:
            continue
        lines = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after).get_opcodes():
            if tag == "equal":
                lines += [(" ", text) for text in before[i1:i2]]
                continue
            lines += [("-", text) for text in before[i1:i2]]
            lines += [("+", text) for text in after[j1:j2]]
        changes.append(FieldChange(str(Article._meta.get_field(name).verbose_name), lines))
    return changes


_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote|figure|figcaption|pre)>|<br\s*/?>", re.I)


def _paragraphs(text: str) -> list[str]:
    """Return the readable paragraphs of stored HTML (or plain text), one string each."""
    parts = _BLOCK_END.split(text or "")
    paragraphs = (" ".join(html.unescape(strip_tags(part)).split()) for part in parts)
    return [paragraph for paragraph in paragraphs if paragraph]


# The addresses of a page in the other languages


def _in_site_order(alternates: dict[str, str]) -> dict[str, str]:
    """Return *alternates* in the order of the site's languages (``NEWSROOM_LANGUAGES``)."""
    return {code: alternates[code] for code in language_codes() if code in alternates}


def story_versions(article: Article) -> list[Article]:
    """Return *article* (if public) and its published translations: language, address and
    source (``translation_source_id``) of each. Drafts and scheduled ones are left out."""
    return list(
        Article.objects.published()
        .filter(translation_key=article.translation_key)
        .only("slug", "language", "translation_key", "translation_source_id")
    )


def versions_alternates(versions) -> dict[str, str]:
    """Return the addresses of *versions* (one story's, :func:`story_versions`) by language."""
    return _in_site_order({version.language: version.get_absolute_url() for version in versions})


def versions_by_story(stories) -> dict[int, list[Article]]:
    """Return, by story pk, :func:`story_versions` of each of *stories*, in one query, in
    the order of the site's languages."""
    stories = list(stories)
    by_key: dict = {}
    versions = (
        Article.objects.published()
        .filter(translation_key__in={story.translation_key for story in stories})
        .only("slug", "language", "translation_key", "translation_source_id")
    )
    order = {code: number for number, code in enumerate(language_codes())}
    for version in sorted(versions, key=lambda version: order.get(version.language, len(order))):
        by_key.setdefault(version.translation_key, []).append(version)
    return {story.pk: by_key.get(story.translation_key, []) for story in stories}


def stories_alternates(stories) -> dict[int, dict[str, str]]:
    """Return, by story pk, the addresses of each of *stories* and its published
    translations, by language (:func:`story_alternates` for many stories in one query)."""
    return {
        pk: versions_alternates(versions) for pk, versions in versions_by_story(stories).items()
    }


def story_alternates(article: Article) -> dict[str, str]:
    """Return the addresses of *article* and its published translations, by language."""
    return versions_alternates(story_versions(article))


def taxonomies_alternates(rows) -> dict[int, dict[str, str]]:
    """Return, by pk, the addresses of each region's or rubric's page in every language it
    has (:func:`taxonomy_alternates` for many rows of one model in one query)."""
    rows = list(rows)
    if not rows:
        return {}
    by_key: dict = {}
    versions = type(rows[0]).objects.filter(
        translation_key__in={row.translation_key for row in rows}
    )
    for version in versions:
        by_key.setdefault(version.translation_key, {})[version.language] = (
            version.get_absolute_url()
        )
    return {row.pk: _in_site_order(by_key.get(row.translation_key, {})) for row in rows}


def taxonomy_alternates(row) -> dict[str, str]:
    """Return the addresses of a region's or rubric's page in every language it has."""
    return taxonomies_alternates([row])[row.pk]


def tag_path(tag: Tag, language: str) -> str:
    """Return the path of *tag*'s page in *language* (its slug percent-encoded: "грузия")."""
    with translation.override(language):
        return reverse("articles:tag", kwargs={"slug": tag.slug})


def tags_alternates(pages) -> list[dict[str, str]]:
    """Return, for each (tag, language) page of *pages*, the addresses of that page and its
    translations' pages (:func:`tag_alternates` for many pages in one query).

    Only for a tag shown in its own language: a tag of another language on a story of this
    one has a page here too, but no counterpart elsewhere. A translation counts once its page
    exists: a public story in its language carries it.
    """
    pages = list(pages)
    # Every version of the pages' tags (the tags' own rows among them), each with its first
    # public story in its language, if it has one.
    carrying = Article.objects.published().filter(
        tags=OuterRef("tag_id"), language=OuterRef("language")
    )
    groups = TagLanguage.objects.filter(tag__in=[tag.pk for tag, _language in pages]).values(
        "translation_key"
    )
    versions = list(
        TagLanguage.objects.filter(translation_key__in=groups)
        .annotate(first_story=Subquery(carrying.order_by().values("pk")[:1]))
        .select_related("tag")
    )
    infos = {version.tag_id: version for version in versions}
    by_key: dict = {}
    for version in versions:
        if version.first_story is not None:
            by_key.setdefault(version.translation_key, {})[version.language] = tag_path(
                version.tag, version.language
            )
    alternates = []
    for tag, language in pages:
        info = infos.get(tag.pk)
        if info is None or info.language != language:
            alternates.append({})
        else:
            alternates.append(_in_site_order(by_key.get(info.translation_key, {})))
    return alternates


def tag_alternates(tag: Tag, language: str) -> dict[str, str]:
    """Return the addresses of *tag*'s page in *language* and its translations' pages."""
    return tags_alternates([(tag, language)])[0]


def author_path(author: Author, language: str) -> str:
    with translation.override(language):
        return reverse("articles:author", kwargs={"slug": author.slug})


def authors_alternates(authors) -> dict[int, dict[str, str]]:
    """Return, by pk, the addresses of each of *authors*' pages in the languages they have
    public stories in (:func:`author_alternates` for many authors in one query)."""
    authors = list(authors)
    if not authors:
        return {}
    codes = language_codes()
    # One probe per language and author, each stopping at its first story (as in_use_by).
    probes = {
        f"story_in_{number}": Subquery(
            Article.objects.published()
            .in_language(code)
            .filter(authors=OuterRef("pk"))
            .order_by()
            .values("pk")[:1]
        )
        for number, code in enumerate(codes)
    }
    rows = Author.objects.filter(pk__in=[author.pk for author in authors]).annotate(**probes)
    found = {
        row.pk: {
            code: author_path(row, code)
            for number, code in enumerate(codes)
            if getattr(row, f"story_in_{number}") is not None
        }
        for row in rows.only("slug")
    }
    return {author.pk: found.get(author.pk, {}) for author in authors}


def author_alternates(author: Author) -> dict[str, str]:
    """Return the addresses of *author*'s page in each language they have public stories in."""
    return authors_alternates([author])[author.pk]
