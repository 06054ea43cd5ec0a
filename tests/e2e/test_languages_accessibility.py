"""The demo's reader pages in English and in Russian, checked by axe in Chromium.

The same kinds of page as ``test_accessibility`` (home, story, region, tag, search and a
simple page), here with the seeded demo in both languages: a Russian page says so
(``<html lang="ru">``) and has no serious or critical violation either. The hreflang pairs,
the switcher and the HTML checker's verdict on these pages are in
``tests/languages/test_demo_languages.py``.
"""

import io

import pytest
from django.core.management import call_command

from tests.e2e.conftest import blocking_violations

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PAGES = {
    "en": (
        "/",
        "/articles/red-sea-detours-price-of-a-container/",
        "/regions/south-caucasus/",
        "/tags/energy/",
        "/search/?q=gas",
        "/pages/about/",
    ),
    "ru": (
        "/ru/",
        "/ru/articles/obkhod-krasnogo-morya-i-tsena-kontejnera/",
        "/ru/regions/yuzhnyj-kavkaz/",
        "/ru/tags/энергетика/",
        "/ru/search/?q=газ",
        "/ru/pages/about/",
    ),
}


def test_demo_pages_in_both_languages_have_no_serious_accessibility_violations(
    new_page, transactional_db
):
    call_command("seed_demo", "--no-images", stdout=io.StringIO())
    page = new_page("demo")
    found = {}
    for language, paths in PAGES.items():
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, path
            assert page.locator("html").get_attribute("lang") == language, path
            violations = blocking_violations(page)
            if violations:
                found[path] = violations

    assert found == {}
