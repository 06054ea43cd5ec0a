"""The site and the admin in Russian: dates, counts and labels in Russian's own rules, English
as it was.

Russian is switched on with ``translation.override("ru")`` here, and for the admin's pages by
the editor's own choice of admin language (``accounts.AdminPreferences``), which the admin
speaks whatever else is active.
"""

import gettext as gettext_module
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format, get_format

from accounts.models import AdminPreferences
from articles.templatetags.articles_tags import timestamp
from reviews.models import Review
from tests.helpers import change_url, logged_in

# 17:20 UTC is 19:20 in Berlin in May.
EVENING = datetime(2024, 5, 9, 17, 20, tzinfo=UTC)
NAMED_FORMATS = ("STORY_DATETIME_FORMAT", "STORY_DATE_FORMAT", "DAY_TIME_FORMAT")


@pytest.fixture(autouse=True)
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def test_a_story_time_reads_as_a_russian_newsroom_writes_it():
    with translation.override("ru"):
        html = timestamp(EVENING)

    assert html == '<time datetime="2024-05-09T19:20+02:00">9 мая 2024 19:20</time>'


def test_a_story_time_in_english_is_as_it_always_was():
    with translation.override("en"):
        html = timestamp(EVENING)

    assert html == '<time datetime="2024-05-09T19:20+02:00">9 May 2024 19:20</time>'


def test_dates_on_their_own_and_in_the_admin_take_the_month_in_the_genitive():
    with translation.override("ru"):
        assert date_format(EVENING, "STORY_DATE_FORMAT") == "9 мая 2024"
        assert date_format(EVENING, "DATETIME_FORMAT") == "9 мая 2024, 17:20"
        assert date_format(EVENING, "DAY_TIME_FORMAT") == "9 мая 17:20"
    with translation.override("en"):
        assert date_format(EVENING, "STORY_DATE_FORMAT") == "9 May 2024"
        assert date_format(EVENING, "DATETIME_FORMAT") == "9 May 2024, 17:20"
        assert date_format(EVENING, "DAY_TIME_FORMAT") == "9 May 17:20"


@pytest.mark.parametrize("code", sorted({code for code, _name in settings.LANGUAGES} | {"ru"}))
def test_every_language_offered_has_the_newsrooms_own_date_formats(code):
    # Without them, get_format would hand back the format's name, printed letter by letter.
    for name in NAMED_FORMATS:
        assert get_format(name, lang=code) != name, f"newsroom/formats/{code} lacks {name}"


def approve_reviews(article, count: int) -> None:
    Review.objects.bulk_create(
        Review(
            article=article,
            name=f"Reader {number}",
            email=f"reader{number}@example.org",
            body=f"Review number {number}.",
            status=Review.Status.APPROVED,
        )
        for number in range(count)
    )


def review_heading(article) -> str:
    html = Template("{% load reviews %}{% reviews_for article %}").render(
        Context({"article": article})
    )
    start = html.index('<h2 id="reviews-heading">') + len('<h2 id="reviews-heading">')
    return html[start : html.index("</h2>", start)]


def test_a_storys_reviews_are_counted_in_russian_one_few_and_many(published_article):
    headings = []
    for total in (1, 2, 5, 21):
        approve_reviews(published_article, total - Review.objects.count())
        with translation.override("ru"):
            headings.append(review_heading(published_article))

    assert headings == ["1 отзыв", "2 отзыва", "5 отзывов", "21 отзыв"]


def test_a_storys_reviews_are_counted_in_english_as_before(published_article):
    approve_reviews(published_article, 1)
    with translation.override("en"):
        one = review_heading(published_article)
    approve_reviews(published_article, 4)
    with translation.override("en"):
        five = review_heading(published_article)

    assert (one, five) == ("1 review", "5 reviews")


def test_the_moderators_email_subject_is_russian():
    with translation.override("ru"):
        subject = render_to_string("reviews/email/digest_subject.txt", {"pending": 5})

    assert subject.strip() == "Очередь отзывов: ждут 5"


def test_an_editor_sees_the_story_form_with_russian_labels(editor, published_article):
    # The admin speaks the editor's own choice (accounts.languages), whatever is active here.
    AdminPreferences.objects.create(user=editor, language="ru")
    page = logged_in(editor).get(change_url(published_article)).content.decode()

    for field, label in (
        ("title", "Заголовок"),
        ("teaser", "Анонс"),
        ("lead_image", "Главное изображение"),
        ("rubric", "Рубрика"),
        ("region", "Регион"),
    ):
        assert f'for="id_{field}">{label}:</label>' in page
    assert ">Время публикации:</label>" in page
    assert 'class="fieldset-heading">Публикация</h2>' in page
    assert "Publish at" not in page
    assert "Lead image" not in page


def test_the_story_editors_buttons_come_in_russian(editor):
    AdminPreferences.objects.create(user=editor, language="ru")
    script = logged_in(editor).get(reverse("admin:jsi18n")).content.decode()

    # The admin's JavaScript catalogue, in JSON, carries ours beside Django's own.
    assert json.dumps("Галерея изображений из библиотеки") in script


def test_the_story_editors_own_dialogs_come_in_russian(editor):
    """django-prose-editor asks window.gettext for its dialogs' words and ships no Russian:
    every one the installed version asks for is in our catalogue (articles/
    prose-editor-strings.js lists them for makemessages)."""
    editor_js = Path(finders.find("django_prose_editor/editor.js")).read_text()
    alias = re.search(r"(\w+)=window\.gettext\|\|", editor_js).group(1)
    asked = set(re.findall(rf'\b{re.escape(alias)}\("([^"]+)"\)', editor_js))
    catalogue = gettext_module.translation(
        "djangojs", localedir=settings.BASE_DIR / "locale", languages=["ru"]
    )
    AdminPreferences.objects.create(user=editor, language="ru")
    script = logged_in(editor).get(reverse("admin:jsi18n")).content.decode()

    assert len(asked) > 20 and "Cancel" in asked
    untranslated = sorted(words for words in asked if catalogue.gettext(words) == words)
    assert untranslated == []
    assert all(json.dumps(catalogue.gettext(words)) in script for words in asked)
    assert json.dumps("Отмена") in script
