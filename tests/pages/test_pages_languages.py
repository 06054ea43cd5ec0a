"""Pages in languages: a Russian Privacy page from the migrations, footers in the page's
language, /ru/pages/<slug>/, hreflang and the switcher between translations, and the admin's
"Translation of"."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from articles.sanitizer import sanitize_html
from pages import privacy
from pages.models import Page
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/pages/page/add/"
MIGRATION = import_module("pages.migrations.0007_privacy_page_ru")
SCHEMA_EDITOR = SimpleNamespace(connection=SimpleNamespace(alias="default"))


def footer(html: str) -> str:
    return html.split('<footer class="site-footer">', 1)[1]


def privacy_pages() -> tuple[Page, Page]:
    return Page.objects.get(slug="privacy", language="en"), Page.objects.get(
        slug="privacy", language="ru"
    )


def test_a_new_newsroom_has_the_privacy_page_in_russian_as_a_translation():
    english, russian = privacy_pages()

    assert russian.translation_key == english.translation_key
    assert (russian.title, russian.position, russian.in_footer) == ("Конфиденциальность", 3, True)
    assert russian.body == privacy.shipped_body("ru")
    assert sanitize_html(russian.body) == russian.body
    assert "{" not in russian.body and "<!--" not in russian.body


def test_the_russian_page_is_at_its_prefixed_address_in_russian(client):
    html = client.get("/ru/pages/privacy/").content.decode()

    assert '<html lang="ru">' in html
    assert '<h1 class="page__title story__title">Конфиденциальность</h1>' in html
    assert '<a href="/ru/your-data/" rel="noopener noreferrer">«Ваши данные»</a>' in html
    assert client.get("/ru/your-data/").status_code == 200


def test_each_footer_links_the_pages_of_its_language(client):
    russian = footer(client.get("/ru/").content.decode())
    english = footer(client.get("/").content.decode())

    assert '<a href="/ru/pages/privacy/">Конфиденциальность</a>' in russian
    assert '<a href="/ru/your-data/">Ваши данные</a>' in russian
    assert "/pages/privacy/" not in russian.replace("/ru/pages/privacy/", "")
    assert '<a href="/pages/privacy/">Privacy</a>' in english
    assert "/ru/pages/" not in english


def test_translated_pages_name_each_other_for_search_engines_and_the_switcher(client):
    english = client.get("/pages/privacy/").content.decode()
    russian = client.get("/ru/pages/privacy/").content.decode()

    for html in (english, russian):
        assert (
            '<link rel="alternate" hreflang="en" href="http://127.0.0.1:8000/pages/privacy/">'
            in html
        )
        assert (
            '<link rel="alternate" hreflang="ru" href="http://127.0.0.1:8000/ru/pages/privacy/">'
            in html
        )
        assert (
            '<link rel="alternate" hreflang="x-default" '
            'href="http://127.0.0.1:8000/pages/privacy/">' in html
        )
    assert 'href="/ru/pages/privacy/" hreflang="ru" lang="ru" rel="alternate"' in english
    assert 'href="/pages/privacy/" hreflang="en" lang="en" rel="alternate"' in russian


def test_a_page_in_one_language_only_has_no_address_in_the_other(client):
    Page.objects.create(title="Imprint", slug="imprint")

    html = client.get("/pages/imprint/").content.decode()

    assert client.get("/ru/pages/imprint/").status_code == 404
    assert 'hreflang="ru"' in html  # the switcher, to the Russian home
    assert 'href="/ru/" hreflang="ru" lang="ru">' in html
    assert '<link rel="alternate" hreflang' not in html


def test_a_slug_is_unique_in_each_language_only():
    Page.objects.create(title="О нас", slug="about", language="ru")
    Page.objects.create(title="About us", slug="about", language="en")

    with pytest.raises(IntegrityError), transaction.atomic():
        Page.objects.create(title="About", slug="about", language="en")


def test_an_editor_adds_a_russian_page_as_a_translation_of_an_english_one(client, editor):
    english = Page.objects.create(title="About us", slug="about", body="<p>Who we are.</p>")
    data = {
        "title": "О нас",
        "slug": "about",
        "language": "ru",
        "translation_of": str(english.pk),
        "body": "<p>Кто мы.</p>",
        "in_footer": "on",
        "position": "1",
    }

    response = logged_in(editor).post(ADD_URL, data)

    assert response.status_code == 302
    russian = Page.objects.get(slug="about", language="ru")
    assert russian.translation_key == english.translation_key
    assert '<a href="/ru/pages/about/">О нас</a>' in footer(client.get("/ru/").content.decode())
    html = client.get("/pages/about/").content.decode()
    assert 'hreflang="ru" href="http://127.0.0.1:8000/ru/pages/about/"' in html


def test_a_translation_must_be_of_a_page_in_another_language(editor):
    english = Page.objects.create(title="About us", slug="about")
    data = {
        "title": "About",
        "slug": "about-us",
        "language": "en",
        "translation_of": str(english.pk),
        "in_footer": "on",
        "position": "1",
    }

    response = logged_in(editor).post(ADD_URL, data)

    assert response.status_code == 200
    assert "Choose a page in another language" in response.content.decode()
    # And a page already translated into that language takes no second translation.
    _english, russian = privacy_pages()
    data.update(language="ru", slug="privacy-2", translation_of=str(_english.pk))
    response = logged_in(editor).post(ADD_URL, data)
    assert "already has a translation in this language" in response.content.decode()
    assert Page.objects.filter(translation_key=russian.translation_key).count() == 2


@pytest.mark.parametrize(
    ("days", "said"), [(1, "1 день"), (3, "3 дня"), (12, "12 дней"), (30, "30 дней")]
)
def test_the_russian_text_names_the_periods_in_russian(settings, days, said):
    settings.NEWSROOM_FINGERPRINT_RETENTION_DAYS = days
    settings.NEWSLETTER_CONFIRM_DAYS = 5
    settings.NEWSLETTER_KEEP_DAYS = 61

    body = " ".join(privacy.shipped_body("ru").split())

    assert body.count(f"через {said}") == 4  # previews, reviews, reports, blocks
    assert "не подтверждённый в течение 5 дней, удаляется" in body
    assert "удаляются через 61 день после отправки выпуска" in body


@pytest.mark.parametrize(
    ("mode", "said"),
    [("anonymise", "с подписью «Анонимный читатель»"), ("delete", "опубликованные и нет")],
)
def test_the_russian_erasure_paragraph_follows_the_setting(settings, mode, said):
    settings.NEWSROOM_ERASURE_REVIEWS = mode

    assert said in " ".join(privacy.shipped_body("ru").split())


def test_the_migration_keeps_an_editors_russian_page_and_adds_a_missing_one():
    _english, russian = privacy_pages()
    Page.objects.filter(pk=russian.pk).update(body="<p>Наш собственный текст.</p>")

    MIGRATION.create(apps, SCHEMA_EDITOR)
    assert Page.objects.get(pk=russian.pk).body == "<p>Наш собственный текст.</p>"

    russian.delete()
    MIGRATION.create(apps, SCHEMA_EDITOR)
    assert privacy_pages()[1].body == privacy.shipped_body("ru")


def test_the_migration_adds_no_russian_page_where_the_site_has_no_russian(settings):
    privacy_pages()[1].delete()
    settings.LANGUAGES = [("en", "English")]

    MIGRATION.create(apps, SCHEMA_EDITOR)

    assert not Page.objects.filter(language="ru").exists()


def test_an_upgrade_updates_each_language_s_unchanged_text_only():
    english, russian = privacy_pages()
    Page.objects.filter(pk=russian.pk).update(body="<p>Старый текст.</p>")

    assert privacy.update_unchanged(Page, "default", ["<p>Старый текст.</p>"], language="ru") == 1

    assert Page.objects.get(pk=russian.pk).body == privacy.shipped_body("ru")
    assert Page.objects.get(pk=english.pk).body == privacy.shipped_body()
