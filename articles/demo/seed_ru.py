"""Load the Russian demo (``content_ru``) beside the English one, idempotently.

Regions and rubrics get their Russian rows (the English row's ``translation_key``); tags get
Russian names linked to the English ones (``TagLanguage``). The English stories of
``TRANSLATIONS_RU`` get their Russian translations, published a little after them; the
stories written in Russian are published with their English translations. A translation
points at its source (``translation_source``) and is up to date with it
(``translations.mark_up_to_date``), except one: once made, the ``OUT_OF_DATE`` source gets a
new paragraph through an ordinary save, as an editor's would, so the demo shows a translation
out of date.

As in ``seed``: a row is looked up by its slug and created only when missing; nothing an
editor changed is overwritten. Lead images come later (``seed.seed_images``): a translation
shares its source's.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag

from articles import translations
from articles.corrections import correction_add
from articles.demo import content, content_ru
from articles.models import Article, Author, Region, Rubric, TagLanguage

RUSSIAN = "ru"
# The alt text of a demo story's drawn lead image, in English and in Russian.
PICTURE_WORDS = {
    "en": "An abstract map of the {region} region with a route between cities, labelled with "
    "the region's name.",
    RUSSIAN: "Условная карта региона «{region}»: маршрут между городами и подпись с названием "
    "региона.",
}
# A translation appears this long after its source (never later than now).
TRANSLATION_DELAY = timedelta(minutes=90)


def picture_words(article: Article) -> tuple[str, dict]:
    """Return the alt text of the map drawn for *article*, in the default language (the
    library's own words), and its words in Russian (``Image.texts``, with the caption of the
    story's Russian translation) when the site offers Russian."""
    region = article.region
    default = region.translation_in(settings.LANGUAGE_CODE) or region
    texts = {}
    russian = region.translation_in(RUSSIAN)
    if is_offered() and russian is not None:
        texts[RUSSIAN] = {
            "alt_text": PICTURE_WORDS[RUSSIAN].format(region=russian.name),
            "caption": content_ru.TRANSLATIONS_RU.get(article.slug, {}).get("caption", ""),
        }
    words = PICTURE_WORDS.get(settings.LANGUAGE_CODE, PICTURE_WORDS["en"])
    return words.format(region=default.name), texts


def is_offered() -> bool:
    """Return whether the site offers Russian (``NEWSROOM_LANGUAGES``) besides the default."""
    codes = [code for code, _name in settings.LANGUAGES]
    return RUSSIAN in codes and settings.LANGUAGE_CODE != RUSSIAN


@transaction.atomic
def seed_russian(report) -> None:
    """Create the Russian regions, rubrics, tags and stories that do not exist yet."""
    if not is_offered():
        return
    _seed_taxonomy(Region, content_ru.REGIONS_RU, report, "regions")
    _seed_taxonomy(Rubric, content_ru.RUBRICS_RU, report, "rubrics")
    _seed_tags()
    _seed_author_names()
    now = timezone.now()
    made = set()
    for source_slug, story in content_ru.TRANSLATIONS_RU.items():
        source = Article.objects.published().filter(slug=source_slug).first()
        if source is None or source.translation_in(RUSSIAN) is not None:
            continue
        if Article.objects.filter(slug=story["slug"]).exists():
            continue
        _translation(source, RUSSIAN, story, publish_at=_after(source.publish_at, now))
        report.count("stories", True)
        made.add(source_slug)
    for story in content_ru.STORIES_RU:
        _original(story, now, report)
    if content_ru.OUT_OF_DATE["source"] in made:
        _edit_after_translation(content_ru.OUT_OF_DATE)


def _seed_taxonomy(model, names: dict, report, kind: str) -> None:
    for english_slug, (name, slug, description) in names.items():
        english = model.objects.filter(slug=english_slug, language=settings.LANGUAGE_CODE).first()
        if english is None or english.translation_in(RUSSIAN) is not None:
            continue
        if model.objects.filter(language=RUSSIAN, slug=slug).exists():
            continue
        model.objects.create(
            language=RUSSIAN,
            translation_key=english.translation_key,
            name=name,
            slug=slug,
            description=description,
            **({"position": english.position} if model is Region else {}),
        )
        report.count(kind, True)


def _seed_author_names() -> None:
    for author in Author.objects.filter(slug__in=content_ru.AUTHORS_RU, texts={}):
        name, bio = content_ru.AUTHORS_RU[author.slug]
        author.texts = {RUSSIAN: {"name": name, "bio": bio}}
        author.save(update_fields=["texts"])


def _seed_tags() -> None:
    """Give each English demo tag its Russian version, sharing its translation key."""
    for english_name, russian_name in content_ru.TAGS_RU.items():
        english = _tag(english_name, settings.LANGUAGE_CODE)
        key = english.language_info.translation_key
        if not TagLanguage.objects.filter(translation_key=key, language=RUSSIAN).exists():
            # A Russian tag of that name that an editor made stays as they linked it.
            _tag(russian_name, RUSSIAN, key)


def _tag(name: str, language: str, key: uuid.UUID | None = None) -> Tag:
    tag = Tag.objects.filter(name=name).first() or Tag.objects.create(name=name)
    TagLanguage.objects.get_or_create(
        tag=tag, defaults={"language": language, "translation_key": key or uuid.uuid4()}
    )
    return Tag.objects.select_related("language_info").get(pk=tag.pk)


def _after(moment: datetime, now: datetime) -> datetime:
    return min(moment + TRANSLATION_DELAY, now)


def _translation(source: Article, language: str, story: dict, *, publish_at) -> Article:
    """Publish *story* (slug, title, teaser, body, corrections) as *source*'s translation.

    The same fields as ``translations.translate_story`` fills, with the translated text at
    once, so that the story's history starts with its own words.
    """
    row = Article.objects.create(
        language=language,
        translation_key=source.translation_key,
        translation_source=source,
        slug=story["slug"],
        title=story["title"],
        teaser=story["teaser"],
        body=content.body_html(story["body"]),
        lead_image=source.lead_image,
        region=source.region.translation_in(language),
        rubric=source.rubric.translation_in(language),
        allow_reviews=source.allow_reviews,
        featured=source.featured,
        status=Article.Status.PUBLISHED,
        publish_at=publish_at,
    )
    translations.mark_up_to_date(row)
    row.authors.set(source.authors.all())
    row.tags.set(list(translations.tag_map(list(source.tags.all()), language).values()))
    now = timezone.now()
    for hours_after, text in story.get("corrections", ()):
        made_at = min(source.publish_at + timedelta(hours=hours_after), now)
        correction_add(article=row, text=text, by=None, made_at=max(made_at, publish_at))
    return row


def _original(story: dict, now: datetime, report) -> None:
    """Publish a story written in Russian, then its English translation (if it has one)."""
    article = Article.objects.filter(slug=story["slug"]).first()
    if article is None:
        article = Article.objects.create(
            language=RUSSIAN,
            slug=story["slug"],
            title=story["title"],
            teaser=story["teaser"],
            body=content.body_html(story["body"]),
            region=Region.objects.get(
                language=RUSSIAN, translation_key=_key(Region, story["region"])
            ),
            rubric=Rubric.objects.get(
                language=RUSSIAN, translation_key=_key(Rubric, story["rubric"])
            ),
            status=Article.Status.PUBLISHED,
            publish_at=now - timedelta(hours=story["hours_ago"]),
        )
        article.authors.set(Author.objects.filter(slug__in=story["authors"]))
        article.tags.set(
            list(Tag.objects.filter(name__in=[content_ru.TAGS_RU[name] for name in story["tags"]]))
        )
        report.count("stories", True)
    english = story["english"]
    if (
        english is None
        or not article.is_published()
        or article.translation_in(settings.LANGUAGE_CODE) is not None
        or Article.objects.filter(slug=english["slug"]).exists()
    ):
        return
    _translation(
        article, settings.LANGUAGE_CODE, english, publish_at=_after(article.publish_at, now)
    )
    report.count("stories", True)


def _key(model, english_slug: str) -> uuid.UUID:
    return model.objects.get(slug=english_slug, language=settings.LANGUAGE_CODE).translation_key


def _edit_after_translation(change: dict) -> None:
    """Add a paragraph to the source as an editor would: its translation is now out of date."""
    source = Article.objects.get(slug=change["source"])
    source.body = source.body + "\n" + content.body_html([change["added_paragraph"]])
    source._change_reason = "Demo: a paragraph added after the translation"
    source.save()


def demo_slugs() -> list[str]:
    """Return the slugs of the Russian demo stories that get a lead image of their own."""
    return [story["slug"] for story in content_ru.STORIES_RU]
