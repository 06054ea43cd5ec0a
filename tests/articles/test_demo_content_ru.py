"""The Russian demo content (articles.demo.content_ru) fits the English demo it translates.

Pure data checks, no database: keys point at real English stories, regions, rubrics and
tags; every slug is an ASCII slug, unique, and transliterated from the Russian title by one
scheme; teasers fit; translations keep the structure of their source.
"""

import re

import pytest

from articles.demo import content, content_ru

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TEASER_MAX = 300

# The transliteration the module's docstring describes.
TRANSLIT = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "j",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}

ENGLISH = {story["slug"]: story for story in [*content.STORIES, content.MEDIA_STORY]}
RUSSIAN_ORIGINALS = content_ru.STORIES_RU
ENGLISH_OF_RUSSIAN = [story["english"] for story in RUSSIAN_ORIGINALS if story["english"]]
# Every story text in Russian, with its id in test output.
RUSSIAN_TEXTS = {
    **{f"translation:{key}": text for key, text in content_ru.TRANSLATIONS_RU.items()},
    **{f"original:{story['slug']}": story for story in RUSSIAN_ORIGINALS},
}


def transliterate_words(text: str) -> list[str]:
    words = re.findall(r"\w+", text.lower())
    return ["".join(TRANSLIT.get(char, char) for char in word) for word in words]


def kind(paragraph: str) -> str:
    for prefix, name in (("## ", "subheading"), ("Q: ", "question"), ("> ", "quote")):
        if paragraph.startswith(prefix):
            return name
    return "paragraph"


def is_subsequence(part: list[str], whole: list[str]) -> bool:
    remaining = iter(whole)
    return all(word in remaining for word in part)


def test_regions_and_rubrics_cover_the_english_ones_with_transliterated_slugs():
    for mapping, english in (
        (content_ru.REGIONS_RU, content.REGIONS),
        (content_ru.RUBRICS_RU, content.RUBRICS),
    ):
        assert set(mapping) == {slug for _name, slug, _description in english}
        slugs = [slug for _name, slug, _description in mapping.values()]
        assert len(set(slugs)) == len(slugs)
        for name, slug, description in mapping.values():
            assert slug == "-".join(transliterate_words(name))
            assert SLUG.match(slug)
            assert description.strip()
            assert not {slug} & {english_slug for _n, english_slug, _d in english}


def test_every_tag_has_a_russian_name():
    used = {tag for story in [*ENGLISH.values(), *RUSSIAN_ORIGINALS] for tag in story["tags"]}
    assert used <= set(content_ru.TAGS_RU)
    names = list(content_ru.TAGS_RU.values())
    assert len(set(names)) == len(names)
    for english, russian in content_ru.TAGS_RU.items():
        assert english == english.lower() and russian == russian.lower()
        assert re.search("[а-яё]", russian), russian


def test_translations_are_of_published_english_stories():
    for key, translation in content_ru.TRANSLATIONS_RU.items():
        assert key in ENGLISH, key
        source = ENGLISH[key]
        assert source.get("status", "published") == "published" and source["hours_ago"] >= 0
        assert set(translation) <= {"slug", "title", "teaser", "body", "corrections", "caption"}
        # The picture's caption in Russian wherever the English story has one.
        assert ("caption" in translation) == bool(source.get("caption")), key
        # Translated in full: the same subheadings, questions and quotes, in the same order.
        assert [kind(p) for p in translation["body"]] == [kind(p) for p in source["body"]], key
        english_corrections = source.get("corrections", [])
        russian_corrections = translation.get("corrections", [])
        assert [hours for hours, _ in russian_corrections] == [
            hours for hours, _ in english_corrections
        ], key


def test_translations_cover_every_region_and_enough_stories():
    translated = [ENGLISH[key] for key in content_ru.TRANSLATIONS_RU]
    assert len(translated) >= 9
    assert {story["region"] for story in translated} == set(content_ru.REGIONS_RU)
    assert {story["rubric"] for story in translated} == set(content_ru.RUBRICS_RU)
    assert {s["slug"] for s in content.STORIES if s.get("featured")} <= set(
        content_ru.TRANSLATIONS_RU
    )
    # The issue asks for at least a third of the stories translated, one way or the other.
    pairs = len(content_ru.TRANSLATIONS_RU) + len(ENGLISH_OF_RUSSIAN)
    assert pairs * 3 >= len(content.STORIES) + len(RUSSIAN_ORIGINALS)


def test_russian_originals_point_at_real_rows_and_fall_between_english_stories():
    authors = {author["slug"] for author in content.AUTHORS}
    english_hours = {story["hours_ago"] for story in ENGLISH.values()}
    assert len(RUSSIAN_ORIGINALS) >= 4
    assert 1 <= len(RUSSIAN_ORIGINALS) - len(ENGLISH_OF_RUSSIAN) <= 2
    for story in RUSSIAN_ORIGINALS:
        assert story["region"] in content_ru.REGIONS_RU
        assert story["rubric"] in content_ru.RUBRICS_RU
        assert story["authors"] and set(story["authors"]) <= authors
        assert story["hours_ago"] > 0 and story["hours_ago"] not in english_hours
        if story["english"]:
            assert set(story["english"]) == {"slug", "title", "teaser", "body"}
            assert [kind(p) for p in story["english"]["body"]] == [kind(p) for p in story["body"]]
    hours = [story["hours_ago"] for story in RUSSIAN_ORIGINALS]
    assert hours == sorted(hours), "newest first, as content.STORIES"


@pytest.mark.parametrize(
    "text",
    [*RUSSIAN_TEXTS.values(), *ENGLISH_OF_RUSSIAN],
    ids=[*RUSSIAN_TEXTS, *(f"english:{text['slug']}" for text in ENGLISH_OF_RUSSIAN)],
)
def test_teaser_title_and_body(text):
    teaser = text["teaser"]
    assert 0 < len(teaser) <= TEASER_MAX
    assert "\n" not in teaser and not teaser.startswith(("## ", "Q: ", "> "))
    assert text["title"].strip() and text["body"]
    assert all(paragraph.strip() for paragraph in text["body"])
    assert content.body_html(text["body"]).startswith("<")


@pytest.mark.parametrize("text", RUSSIAN_TEXTS.values(), ids=RUSSIAN_TEXTS)
def test_russian_typography_and_slug(text):
    corrections = [note for _hours, note in text.get("corrections", [])]
    for string in [text["title"], text["teaser"], *text["body"], *corrections]:
        assert '"' not in string and "“" not in string, f"«ёлочки», not straight quotes: {string}"
        assert " - " not in string, f"an em dash — with spaces, not a hyphen: {string}"
    # Transliterated from the Russian title by the module's scheme, words kept in order.
    assert SLUG.match(text["slug"])
    assert is_subsequence(text["slug"].split("-"), transliterate_words(text["title"]))


def test_story_slugs_are_ascii_and_unique_across_both_modules():
    slugs = [
        *ENGLISH,
        *(text["slug"] for text in content_ru.TRANSLATIONS_RU.values()),
        *(story["slug"] for story in RUSSIAN_ORIGINALS),
        *(text["slug"] for text in ENGLISH_OF_RUSSIAN),
    ]
    assert all(SLUG.match(slug) for slug in slugs)
    assert len(set(slugs)) == len(slugs)


def test_out_of_date_names_a_translated_story_and_a_new_paragraph():
    source = content_ru.OUT_OF_DATE["source"]
    added = content_ru.OUT_OF_DATE["added_paragraph"]
    assert source in content_ru.TRANSLATIONS_RU
    assert added.strip() and kind(added) == "paragraph"
    assert added not in ENGLISH[source]["body"]
