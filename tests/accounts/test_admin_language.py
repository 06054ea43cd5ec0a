"""Each editor works in the admin language of their choice; readers' pages keep the language of
their address.

An editor chooses it on a small page linked from the admin header (Language): one of the
site's languages, or "as my browser says". Without a choice the admin follows the browser's
Accept-Language, else the site's default; the login page follows the browser.
"""

import pytest
from django.urls import reverse

from accounts.models import AdminPreferences
from tests.helpers import logged_in

PREFERENCE_URL = reverse("admin_language_preference")
ADMIN = reverse("admin:index")
STORIES = reverse("admin:articles_article_changelist")
RUSSIAN_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "ru-RU,ru;q=0.9,en;q=0.5"}


def choose(client, language: str, **extra):
    return client.post(PREFERENCE_URL, {"language": language}, **extra)


def test_the_admin_header_links_to_the_language_page(editor):
    page = logged_in(editor).get(ADMIN).content.decode()

    assert f'href="{PREFERENCE_URL}">Language</a>' in page


def test_an_editor_who_chooses_russian_gets_the_admin_in_russian(editor):
    client = logged_in(editor)

    response = choose(client, "ru")

    assert response.status_code == 302
    assert AdminPreferences.objects.get(user=editor).language == "ru"
    page = client.get(response.url).content.decode()
    # Said in the language chosen, on a page already in it.
    assert "Теперь ваша панель управления на языке «Русский»." in page
    stories = client.get(STORIES).content.decode()
    assert '<html lang="ru"' in stories
    assert "Материалы" in stories


def test_the_choice_beats_the_browser_and_is_each_editors_own(editor, second_editor):
    AdminPreferences.objects.create(user=editor, language="en")

    mine = logged_in(editor).get(STORIES, **RUSSIAN_BROWSER)
    colleague = logged_in(second_editor).get(STORIES)

    assert '<html lang="en"' in mine.content.decode()
    assert '<html lang="en"' in colleague.content.decode()
    AdminPreferences.objects.create(user=second_editor, language="ru")
    assert '<html lang="ru"' in logged_in(second_editor).get(STORIES).content.decode()
    assert '<html lang="en"' in logged_in(editor).get(STORIES).content.decode()


def test_without_a_choice_the_admin_follows_the_browser_else_the_default(editor):
    client = logged_in(editor)

    russian = client.get(STORIES, **RUSSIAN_BROWSER)
    unknown = client.get(STORIES, HTTP_ACCEPT_LANGUAGE="ja")
    none = client.get(STORIES)

    assert '<html lang="ru"' in russian.content.decode()
    assert "Accept-Language" in russian["Vary"]
    assert '<html lang="en"' in unknown.content.decode()
    assert '<html lang="en"' in none.content.decode()


def test_as_my_browser_says_undoes_a_choice(editor):
    client = logged_in(editor)
    choose(client, "ru")

    response = choose(client, "", **RUSSIAN_BROWSER)

    assert AdminPreferences.objects.get(user=editor).language == ""
    assert "Панель управления теперь на языке вашего браузера." in (
        client.get(response.url, **RUSSIAN_BROWSER).content.decode()
    )
    assert '<html lang="en"' in client.get(STORIES).content.decode()


def test_the_page_shows_the_choices_and_the_current_one(editor):
    client = logged_in(editor)
    choose(client, "ru")

    response = client.get(PREFERENCE_URL)

    page = response.content.decode()
    assert "Как скажет браузер" in page
    assert "English" in page and "Русский" in page
    assert response.context["form"]["language"].value() == "ru"


@pytest.mark.parametrize("value", ["xx", "ru-RU", "<script>", "a" * 500])
def test_a_language_the_site_does_not_offer_is_refused_with_a_message(editor, value):
    client = logged_in(editor)

    response = choose(client, value)

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not AdminPreferences.objects.filter(user=editor).exists()


def test_the_login_page_follows_the_browser(client):
    russian = client.get(reverse("admin:login"), **RUSSIAN_BROWSER).content.decode()
    english = client.get(reverse("admin:login")).content.decode()

    assert "Войти" in russian
    assert "Log in" in english


def test_only_logged_in_staff_reach_the_page(client, django_user_model):
    assert client.get(PREFERENCE_URL).status_code == 302
    reader = django_user_model.objects.create_user("reader", "r@example.org", "x")
    client.force_login(reader)

    response = choose(client, "ru")

    assert response.status_code == 302
    assert reverse("admin:login") in response.url
    assert not AdminPreferences.objects.exists()


def test_the_page_needs_the_forms_csrf_token(editor):
    client = logged_in(editor)
    client.handler.enforce_csrf_checks = True

    assert choose(client, "ru").status_code == 403
    assert not AdminPreferences.objects.exists()


def test_reader_pages_keep_the_language_of_their_address(editor, published_article):
    AdminPreferences.objects.create(user=editor, language="ru")
    client = logged_in(editor)

    home = client.get("/", **RUSSIAN_BROWSER)

    assert '<html lang="en"' in home.content.decode()
    assert home["Content-Language"] == "en"
    assert '<html lang="ru"' in client.get("/ru/").content.decode()


def test_a_russian_admin_links_an_english_storys_preview_at_its_english_address(
    editor, draft_article
):
    AdminPreferences.objects.create(user=editor, language="ru")

    page = logged_in(editor).get(STORIES).content.decode()

    assert f'href="/preview/{draft_article.pk}/"' in page
