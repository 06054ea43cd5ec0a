"""The Privacy page in Russian, as a translation of the English one (``pages.privacy``).

Created where the site offers Russian (``NEWSROOM_LANGUAGES``), and only if no Russian page
has its slug: an editor's own page is theirs. It shares the English page's translation key
(so each names the other as its version in the other language) unless the English page
already has a Russian translation. Reversing deletes it only while its text is still the
shipped one.
"""

import uuid

from django.conf import settings
from django.db import migrations

from pages.privacy import TITLES, is_unchanged, shipped_body

LANGUAGE = "ru"
SLUG = "privacy"
POSITION = 3


def offered() -> bool:
    return LANGUAGE in dict(settings.LANGUAGES) and settings.LANGUAGE_CODE != LANGUAGE


def create(apps, schema_editor):
    if not offered():
        return
    Page = apps.get_model("pages", "Page")
    pages = Page.objects.using(schema_editor.connection.alias)
    if pages.filter(language=LANGUAGE, slug=SLUG).exists():
        return
    english = pages.filter(language=settings.LANGUAGE_CODE, slug=SLUG).first()
    key = english.translation_key if english is not None else uuid.uuid4()
    if pages.filter(translation_key=key, language=LANGUAGE).exists():
        key = uuid.uuid4()
    pages.create(
        language=LANGUAGE,
        translation_key=key,
        slug=SLUG,
        title=TITLES[LANGUAGE],
        body=shipped_body(LANGUAGE),
        position=english.position if english is not None else POSITION,
        in_footer=english.in_footer if english is not None else True,
    )


def delete(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    pages = Page.objects.using(schema_editor.connection.alias)
    for page in pages.filter(language=LANGUAGE, slug=SLUG):
        if is_unchanged(page.body, [shipped_body(LANGUAGE)]):
            page.delete()


class Migration(migrations.Migration):
    dependencies = [("pages", "0006_language_constraints")]

    operations = [migrations.RunPython(create, delete)]
