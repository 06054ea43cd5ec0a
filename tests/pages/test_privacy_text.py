"""The Privacy page says what the code does, and an upgrade updates it only if nobody edited it."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps

from articles.sanitizer import sanitize_html
from pages import privacy
from pages.models import Page

pytestmark = pytest.mark.django_db

READ_COUNTS = (
    "A small script on the story page sends the count once the page is shown; without "
    "JavaScript nothing is counted. Per-story hourly counts are kept without limit."
)


def words(text: str) -> str:
    return " ".join(text.split())


def test_a_new_newsroom_gets_this_releases_text(client):
    page = Page.objects.get(slug="privacy", language="en")

    assert page.body == privacy.shipped_body()
    body = words(page.body)
    assert READ_COUNTS in body
    assert "TODO" not in body and "<!--" not in body
    html = client.get("/pages/privacy/").content.decode()
    assert '<a href="/your-data/" rel="noopener noreferrer">Your data</a>' in html


def test_the_periods_named_are_the_settings(settings):
    settings.NEWSROOM_FINGERPRINT_RETENTION_DAYS = 14
    settings.NEWSLETTER_CONFIRM_DAYS = 5
    settings.NEWSLETTER_KEEP_DAYS = 60

    body = words(privacy.shipped_body())

    assert body.count("erased after 14 days") == 3  # previews, reviews, reports
    assert "not confirmed within 5 days is deleted" in body
    assert "these notes are deleted 60 days after the newsletter went out" in body


@pytest.mark.parametrize(
    ("mode", "said"),
    [
        ("anonymise", 'these stay, as "Anonymous reader"'),
        ("delete", "replies that other readers wrote to them go with them"),
    ],
)
def test_the_erasure_paragraph_follows_the_setting(settings, mode, said):
    settings.NEWSROOM_ERASURE_REVIEWS = mode

    assert said in words(privacy.shipped_body())


def test_the_text_is_what_the_sanitiser_keeps_so_an_unchanged_save_keeps_it():
    body = privacy.shipped_body()

    assert sanitize_html(body) == body
    page = Page.objects.get(slug="privacy", language="en")
    page.save()
    assert privacy.shipped_body() == Page.objects.get(slug="privacy", language="en").body


def earlier_text() -> str:
    """Return the text the page was created with, before this release (0003 ships it)."""
    return import_module("pages.migrations.0003_privacy_page").privacy_body()


def upgrade() -> int:
    return privacy.update_unchanged(Page, "default", earlier=[earlier_text()])


def test_the_upgrade_replaces_the_text_the_page_was_created_with():
    Page.objects.filter(slug="privacy", language="en").update(body=earlier_text())
    assert "TODO" not in earlier_text() and "write to the editors" in earlier_text()

    assert upgrade() == 1

    assert Page.objects.get(slug="privacy", language="en").body == privacy.shipped_body()


def test_the_upgrade_also_recognises_the_earlier_text_reflowed_by_the_editor():
    Page.objects.filter(slug="privacy", language="en").update(body=" ".join(earlier_text().split()))

    assert upgrade() == 1


def test_the_upgrade_leaves_an_edited_page_alone():
    edited = earlier_text().replace("write to the editors", "write to privacy@newsroom.example")
    Page.objects.filter(slug="privacy", language="en").update(body=edited)

    assert upgrade() == 0

    assert Page.objects.get(slug="privacy", language="en").body == edited


def test_the_migration_upgrades_what_0003_created():
    migration = import_module("pages.migrations.0004_privacy_page_text")
    Page.objects.filter(slug="privacy", language="en").update(body=earlier_text())

    migration.forwards(apps, SimpleNamespace(connection=SimpleNamespace(alias="default")))

    assert Page.objects.get(slug="privacy", language="en").body == privacy.shipped_body()
