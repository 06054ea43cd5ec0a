"""A small newsroom in English and Russian, for the tests of every machine-facing output
(sitemaps, feeds, sharing metadata, the API).

- The region and rubric of the ``region``/``rubric`` fixtures, each with a Russian version;
  "Europe" has none.
- "The Almaty talks" (English, tag "Georgia", by Nino) and its published Russian translation
  «Переговоры в Алматы» (tag «Грузия», the Georgia tag's translation, whose slug stays in
  Cyrillic: "грузия"; the story's is transliterated).
- "Water in Central Asia" (English, in Europe, by Nino) whose Russian translation is a draft
  (tag "секрет", on no public story): it must show up nowhere.
- «Только по-русски» (Russian only, tag «Грузия», by Ivan, who has no English story).
"""

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from articles.models import Article, Author, Region, Rubric, TagLanguage
from articles.translations import translate_story

GEORGIA_RU = "грузия"
GEORGIA_RU_URL = "%D0%B3%D1%80%D1%83%D0%B7%D0%B8%D1%8F"


def build(make_article, region, rubric, *, by=None) -> SimpleNamespace:
    region_ru = Region.objects.create(
        name="Постсоветское пространство",
        slug="postsovetskoe-prostranstvo",
        language="ru",
        translation_key=region.translation_key,
    )
    rubric_ru = Rubric.objects.create(
        name="Дорожный знак",
        slug="dorozhnyi-znak",
        language="ru",
        translation_key=rubric.translation_key,
    )
    europe = Region.objects.create(name="Europe", slug="europe", position=9)
    nino = Author.objects.create(name="Nino B.", slug="nino")
    ivan = Author.objects.create(name="Ivan P.", slug="ivan")
    now = timezone.now()

    talks = make_article(
        title="The Almaty talks",
        slug="almaty-talks",
        teaser="Talks in Almaty.",
        tags=["Georgia"],
        authors=[nino],
        publish_at=now - timedelta(hours=2),
    )
    russian_only = make_article(
        title="Только по-русски",
        slug="tolko-po-russki",
        teaser="Только на русском.",
        language="ru",
        region=region_ru,
        rubric=rubric_ru,
        tags=["Грузия"],
        authors=[ivan],
        publish_at=now - timedelta(hours=3),
    )
    georgia = talks.tags.get()
    georgia_ru = russian_only.tags.get()
    TagLanguage.objects.filter(tag=georgia_ru).update(
        translation_key=TagLanguage.objects.get(tag=georgia).translation_key
    )

    talks_ru = translate_story(talks, "ru", by=by)
    talks_ru.title = "Переговоры в Алматы"
    talks_ru.slug = "peregovory-v-almaty"
    talks_ru.teaser = "Переговоры в Алматы."
    talks_ru.status = Article.Status.PUBLISHED
    talks_ru.publish_at = now - timedelta(hours=1)
    talks_ru.save()

    water = make_article(
        title="Water in Central Asia",
        slug="water",
        region=europe,
        authors=[nino],
        publish_at=now - timedelta(hours=4),
    )
    # Europe has no Russian version: the draft translation is made by hand.
    water_ru = make_article(
        title="Вода в Центральной Азии",
        slug="voda",
        language="ru",
        region=region_ru,
        rubric=rubric_ru,
        translation_key=water.translation_key,
        translation_source=water,
        status=Article.Status.DRAFT,
        tags=["секрет"],
        authors=[ivan],
    )
    return SimpleNamespace(
        region_ru=region_ru,
        rubric_ru=rubric_ru,
        europe=europe,
        nino=nino,
        ivan=ivan,
        talks=talks,
        talks_ru=talks_ru,
        russian_only=russian_only,
        water=water,
        water_ru=water_ru,
        georgia=georgia,
        georgia_ru=georgia_ru,
    )
