"""A reader whose browser prefers another language is offered this page in it, never sent.

The suggestion is written in the language it offers and comes with the page (the same page for
every reader, cached), shown by a script when the browser's first offered language is not the
page's. "No, thanks" keeps it away for the rest of the visit; crawlers and readers without
JavaScript get the page as it is.
"""

import pytest

from tests.articles import bilingual

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def newsroom(make_article, region, rubric):
    return bilingual.build(make_article, region, rubric)


def test_a_russian_browser_is_offered_the_translation_in_russian_and_follows_it(new_page, newsroom):
    reader = new_page("reader", locale="ru-RU")
    response = reader.goto(newsroom.talks.get_absolute_url())

    assert response.status == 200 and response.url.endswith("/articles/almaty-talks/")
    suggestion = reader.locator("main .language-suggestion")
    assert suggestion.get_attribute("lang") == "ru"
    assert "Эта страница есть и на вашем языке." in suggestion.inner_text()
    suggestion.get_by_role("link", name="Читать").click()
    reader.wait_for_url("**/ru/articles/peregovory-v-almaty/")
    assert reader.locator(".language-suggestion").count() == 0  # in the language preferred


def test_no_thanks_keeps_the_suggestion_away_for_the_visit(new_page, newsroom):
    reader = new_page("reader", locale="ru-RU")
    reader.goto(newsroom.talks.get_absolute_url())

    reader.get_by_role("button", name="Нет, спасибо").click()

    assert reader.locator("main .language-suggestion").count() == 0
    assert reader.evaluate("document.activeElement.id") == "main"
    reader.goto("/")  # the home page is in Russian too
    reader.wait_for_load_state("load")
    assert reader.locator("main .language-suggestion").count() == 0


def test_an_english_browser_is_offered_english_on_a_russian_page_and_nothing_on_english(
    new_page, newsroom
):
    reader = new_page("reader", locale="en-GB")
    reader.goto(newsroom.talks.get_absolute_url())
    reader.wait_for_load_state("load")
    assert reader.locator("main .language-suggestion").count() == 0

    reader.goto(newsroom.talks_ru.get_absolute_url())

    suggestion = reader.locator("main .language-suggestion")
    assert suggestion.get_attribute("lang") == "en"
    link = suggestion.get_by_role("link", name="Read it")
    assert link.get_attribute("href") == newsroom.talks.get_absolute_url()


def test_a_page_in_one_language_only_suggests_nothing(new_page, newsroom):
    reader = new_page("reader", locale="en-US")

    reader.goto(newsroom.russian_only.get_absolute_url())
    reader.wait_for_load_state("load")

    assert reader.locator("template#language-suggestions").count() == 0
    assert reader.locator(".language-suggestion").count() == 0
