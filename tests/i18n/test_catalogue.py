"""The translations are complete and current: every marked string has its translation, in the
compiled catalogue too, and no template shows words that were never marked.

A string marked for translation in code or a template and not yet in ``locale/`` fails here,
as does an entry left empty or fuzzy, a plural with a form missing, a placeholder lost in
translation, or a ``.mo`` file older than its ``.po``. ``make messages`` gathers the new
strings and compiles the catalogues; translate the new entries in between.
"""

import re
import shutil
from contextlib import chdir
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.base import Lexer, TokenType
from django.test import override_settings

from tests.redis_server import REQUIRED

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))
DOMAINS = ("django", "djangojs")
RUSSIAN_PLURALS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);"
)
# What makemessages reads, as `make messages` runs it: the project's code and templates, not
# its tests, benchmarks, collected static files or uploads.
SOURCE_SUFFIXES = {".py", ".html", ".txt", ".xml", ".js"}
LEFT_OUT = {
    "tests",
    "bench",
    "locale",
    "staticfiles",
    "var",
    "test-artifacts",
    "build",
    "__pycache__",
}
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq", "msgattrib")
# Files that are for machines, not people.
NOT_FOR_PEOPLE = {"robots.txt"}


def entry_name(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def translations_of(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def nplurals(catalogue: polib.POFile) -> int:
    return int(re.search(r"nplurals\s*=\s*(\d+)", catalogue.metadata["Plural-Forms"]).group(1))


def placeholders(text: str) -> set[str]:
    """Return the %(name)s and {name} placeholders of *text*."""
    return set(re.findall(r"%\(\w+\)[-+ #0-9.]*[a-z]", text)) | set(re.findall(r"{\w+}", text))


def test_there_is_a_russian_catalogue_for_the_site_and_for_the_story_editor():
    assert LOCALE / "ru/LC_MESSAGES/django.po" in CATALOGUES
    assert LOCALE / "ru/LC_MESSAGES/djangojs.po" in CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(LOCALE)))
def test_every_entry_is_translated_and_none_is_fuzzy(path):
    catalogue = polib.pofile(str(path))

    assert not catalogue.metadata_is_fuzzy, "the header is marked fuzzy"
    assert [entry_name(e) for e in catalogue.untranslated_entries()] == []
    assert [entry_name(e) for e in catalogue.fuzzy_entries()] == []
    assert [entry_name(e) for e in catalogue.obsolete_entries()] == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(LOCALE)))
def test_counted_entries_have_every_plural_form_of_their_language(path):
    catalogue = polib.pofile(str(path))
    forms = nplurals(catalogue)

    incomplete = [
        entry_name(entry)
        for entry in catalogue
        if entry.msgid_plural
        and (len(entry.msgstr_plural) != forms or not all(translations_of(entry)))
    ]

    assert incomplete == []


def test_russian_counts_one_few_and_many():
    for domain in DOMAINS:
        catalogue = polib.pofile(str(LOCALE / f"ru/LC_MESSAGES/{domain}.po"))
        assert catalogue.metadata["Language"] == "ru"
        assert catalogue.metadata["Plural-Forms"] == RUSSIAN_PLURALS


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(LOCALE)))
def test_translations_keep_every_placeholder(path):
    lost = []
    for entry in polib.pofile(str(path)):
        given = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
        for text in translations_of(entry):
            # A singular form may leave its number out ("Gallery of one picture"); nothing
            # else may be dropped, and nothing made up.
            kept = placeholders(text)
            if not kept <= given or (not entry.msgid_plural and kept != given):
                lost.append((entry_name(entry), text))

    assert lost == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(LOCALE)))
def test_the_compiled_catalogue_matches_its_source(path):
    compiled = path.with_suffix(".mo")
    assert compiled.exists(), f"{compiled.name} is missing: run make messages"

    def contents(entries) -> set:
        return {
            (entry.msgctxt, entry.msgid, entry.msgid_plural, *translations_of(entry))
            for entry in entries
            if entry.msgid
        }

    source, built = polib.pofile(str(path)), polib.mofile(str(compiled))

    assert contents(built) == contents(source.translated_entries()), (
        f"{compiled.name} is stale: run make messages"
    )
    assert built.metadata["Plural-Forms"] == source.metadata["Plural-Forms"]


def copy_sources(destination: Path) -> None:
    """Copy what makemessages reads (code and templates) to *destination*."""

    def ignore(directory, names):
        return [
            name
            for name in names
            if name.startswith(".")
            or name in LEFT_OUT
            or name.endswith(".egg-info")
            or (Path(directory, name).is_file() and Path(name).suffix not in SOURCE_SUFFIXES)
        ]

    shutil.copytree(settings.BASE_DIR, destination, ignore=ignore)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, polib.POFile]:
    """Run makemessages, the real command, over a copy of the sources; return what it finds.

    A copy, because makemessages writes working files beside the templates it reads, and two
    test runs (SQLite and PostgreSQL, side by side in CI) share one checkout.
    """
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"GNU gettext is not installed ({', '.join(missing)}): apt-get install gettext"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    source = tmp_path_factory.mktemp("messages") / "newsroom"
    copy_sources(source)
    (source / "locale").mkdir()
    with override_settings(LOCALE_PATHS=[source / "locale"]), chdir(source):
        for domain in DOMAINS:
            call_command(
                "makemessages",
                locale=["ru"],
                domain=domain,
                add_location="file",
                ignore_patterns=["staticfiles", "var"],
                verbosity=0,
            )
    return {
        domain: polib.pofile(str(source / f"locale/ru/LC_MESSAGES/{domain}.po"))
        for domain in DOMAINS
    }


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_marked_string_is_in_the_catalogue(extracted, domain):
    def keys(catalogue):
        return {(entry.msgctxt, entry.msgid, entry.msgid_plural) for entry in catalogue}

    committed = polib.pofile(str(LOCALE / f"ru/LC_MESSAGES/{domain}.po"))

    new = sorted(keys(extracted[domain]) - keys(committed), key=str)

    assert new == [], "marked but not in the catalogue: run make messages and translate them"
    assert len(extracted[domain]) > (1000 if domain == "django" else 10)


HOLE = "\x00"
ATTRIBUTES = re.compile(r'\b(?:alt|title|placeholder|aria-label|aria-description)\s*=\s*"([^"]*)"')
WORD = r"[^\W\d_]{2,}"


def unmarked_words(source: str) -> list[str]:
    """Return the words of a template that a reader would see and that no tag translates.

    Template tags and variables become holes; then scripts, styles, code samples, comments
    and HTML tags go, keeping the texts of attributes that people read (alt, title…).
    """
    parts, inside = [], 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in ("blocktranslate", "blocktrans", "comment"):
                inside += 1
            elif name in ("endblocktranslate", "endblocktrans", "endcomment"):
                inside -= 1
            parts.append(HOLE)
        elif token.token_type == TokenType.TEXT and not inside:
            parts.append(token.contents)
        elif token.token_type != TokenType.COMMENT:
            parts.append(HOLE)
    text = "".join(parts)
    text = re.sub(r"<(script|style|code|pre)\b.*?</\1>", HOLE, text, flags=re.S | re.I)
    text = re.sub(r"<!--.*?-->", HOLE, text, flags=re.S)
    words = [value for value in ATTRIBUTES.findall(text) if re.search(WORD, value)]
    text = re.sub(r"<[^>]*>", HOLE, text)
    text = re.sub(r"&[#\w]+;", HOLE, text)
    return words + re.findall(WORD + r"(?:[^\x00<>]*[^\W\d_])?", text)


def test_the_unmarked_words_check_finds_plain_text_and_attributes():
    source = '{% load i18n %}<p title="Close">Hello, {{ name }}</p><p>{% translate "Thanks" %}</p>'

    assert unmarked_words(source) == ["Close", "Hello"]


def test_no_template_shows_words_that_are_not_marked_for_translation():
    templates = Path(settings.BASE_DIR) / "templates"

    unmarked = {
        str(path.relative_to(templates)): words
        for path in sorted(templates.rglob("*"))
        if path.is_file() and path.name not in NOT_FOR_PEOPLE
        if (words := unmarked_words(path.read_text()))
    }

    assert unmarked == {}
