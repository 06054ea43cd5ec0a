"""A story in two languages, end to end in a real Chromium against the live server.

An editor writes a story in English and publishes it, makes its Russian translation from the
story's page, translates the title, teaser and text and publishes it too. A reader on the
English story clicks "Русский" in the language switcher and lands on the translation. Then
the editor changes the English text: the Russian version shows as out of date in the story
list and on its page, with what changed; ticking "up to date" clears it.
"""

import pytest

from accounts.models import AdminPreferences
from articles.models import Article, Region, Rubric
from tests.e2e.conftest import log_in
from tests.e2e.test_journeys import BODY_EDITOR, choose

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Water talks in the Fergana valley"
SLUG = "water-talks-in-the-fergana-valley"
RUSSIAN_TITLE = "Переговоры о воде в Ферганской долине"
NEW_PARAGRAPH = "Kyrgyzstan asked for a second round in May."


@pytest.fixture
def taxonomy(db):
    """Central Asia and Analysis, in English and in Russian."""
    region = Region.objects.create(name="Central Asia", slug="central-asia", position=1)
    rubric = Rubric.objects.create(name="Analysis", slug="analysis")
    Region.objects.create(
        name="Центральная Азия",
        slug="tsentralnaya-aziya",
        language="ru",
        translation_key=region.translation_key,
        position=1,
    )
    Rubric.objects.create(
        name="Анализ", slug="analiz", language="ru", translation_key=rubric.translation_key
    )
    return region, rubric


def save_and_continue(page) -> None:
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").count() >= 1, page.content()


# Whether the caret is in the story editor, after all of its text.
CARET_AT_END = """(selector) => {
    const editor = document.querySelector(selector);
    const selection = document.getSelection();
    if (!editor || !selection.rangeCount || !editor.contains(selection.focusNode)) return false;
    const rest = document.createRange();
    rest.selectNodeContents(editor);
    rest.setStart(selection.focusNode, selection.focusOffset);
    return selection.isCollapsed && rest.toString() === "";
}"""


def replace_body(page, text: str) -> None:
    page.locator(BODY_EDITOR).click()
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def add_paragraph(page, text: str) -> None:
    """Type *text* as a new last paragraph of the story's text.

    The editor takes a click's caret a moment after the click, and a key pressed before then
    lands where the click was (CI once typed at the start of the text): the caret is sent to
    the end until it stays there.
    """
    page.locator(BODY_EDITOR).click()
    for _attempt in range(20):
        page.keyboard.press("Control+End")
        page.wait_for_timeout(100)
        if page.evaluate(CARET_AT_END, BODY_EDITOR):
            break
    else:
        raise AssertionError("the caret never reached the end of the story's text")
    page.keyboard.press("Enter")
    page.keyboard.type(text)


def test_editor_translates_a_story_reader_switches_language_translation_goes_out_of_date(
    new_page, roles_users, taxonomy
):
    editor = new_page("editor")
    log_in(editor, "edna")

    # The English original, published.
    editor.goto("/admin/articles/article/add/")
    editor.get_by_label("Title").press_sequentially(TITLE)
    editor.get_by_label("Teaser").fill("Three neighbours share one river.")
    editor.locator(BODY_EDITOR).click()
    editor.keyboard.type("The delegations met in Khujand.")
    editor.locator("#id_status").select_option("published")
    choose(editor, "rubric", "Analysis")
    choose(editor, "region", "Central Asia")
    save_and_continue(editor)
    source = Article.objects.get(slug=SLUG)
    assert source.language == "en"

    # Its Russian translation, made from the story's page.
    editor.get_by_role("button", name="Translate into Русский").click()
    editor.wait_for_load_state()
    assert "was made as a draft from the English original" in (
        editor.locator(".messagelist").inner_text()
    )
    translated = Article.objects.get(language="ru")
    assert editor.url.endswith(f"/admin/articles/article/{translated.pk}/change/")
    assert editor.get_by_role("link", name=TITLE).count() >= 1  # "Translated from …"
    # Region and rubric were mapped, and the region box offers Russian rows only.
    assert editor.locator("#id_region option:checked").inner_text() == "Центральная Азия"
    editor.locator(".field-region .select2-selection").click()
    options = editor.locator(".select2-container--open .select2-results__option")
    options.first.wait_for()
    assert options.all_inner_texts() == ["Центральная Азия"]
    editor.keyboard.press("Escape")

    editor.get_by_label("Title").fill(RUSSIAN_TITLE)
    editor.get_by_label("Teaser").fill("Три соседа делят одну реку.")
    replace_body(editor, "Делегации встретились в Худжанде.")
    editor.locator("#id_status").select_option("published")
    save_and_continue(editor)
    translated.refresh_from_db()
    assert translated.title == RUSSIAN_TITLE
    assert "Делегации встретились в Худжанде." in translated.body
    assert translated.is_published()

    # A reader switches language on the English story and lands on the translation.
    reader = new_page("reader")
    reader.goto(f"/articles/{SLUG}/")
    reader.locator(".language-switcher").get_by_role("link", name="Русский").click()
    reader.wait_for_url(f"**/ru/articles/{translated.slug}/")
    assert reader.get_by_role("heading", level=1).inner_text() == RUSSIAN_TITLE
    assert reader.locator("html").get_attribute("lang") == "ru"

    # The editor changes the English text: the translation is out of date.
    editor.goto(f"/admin/articles/article/{source.pk}/change/")
    add_paragraph(editor, NEW_PARAGRAPH)
    save_and_continue(editor)

    editor.goto("/admin/articles/article/")
    russian_row = editor.locator("#result_list tbody tr").filter(has_text="RU")
    assert "Out of date" in russian_row.inner_text()
    editor.get_by_role("link", name="Translations out of date").click()
    editor.wait_for_load_state()
    assert editor.locator("#result_list tbody tr").count() == 1

    editor.goto(f"/admin/articles/article/{translated.pk}/change/")
    warning = editor.locator(".story-translation")
    assert "The English original changed on" in warning.inner_text()
    assert warning.locator("ins").inner_text() == NEW_PARAGRAPH
    assert warning.locator("p").filter(has_text="The delegations met in Khujand.").count() == 1

    # The translator adds the paragraph, and says the translation has caught up.
    add_paragraph(editor, "Киргизия попросила о втором раунде в мае.")
    editor.get_by_label("This translation is up to date with its original").check()
    save_and_continue(editor)
    assert editor.locator(".story-translation.out-of-date").count() == 0
    editor.goto("/admin/articles/article/")
    assert "Out of date" not in editor.locator("#result_list").inner_text()


def test_a_russian_speaking_editor_gets_the_text_editors_dialogs_in_russian(
    new_page, roles_users, taxonomy
):
    AdminPreferences.objects.create(user=roles_users["edna"], language="ru")
    editor = new_page("editor")
    log_in(editor, "edna")
    editor.goto("/admin/articles/article/add/")

    replace_body(editor, "Вода и политика.")
    editor.keyboard.press("Control+a")
    editor.locator(".prose-menubar__button[data-name=link]").click()

    dialog = editor.locator("dialog[open]")
    assert dialog.get_by_role("heading").inner_text() == "Изменить ссылку"
    assert dialog.get_by_role("button", name="Отмена").is_visible()
    assert "Cancel" not in dialog.inner_text()
