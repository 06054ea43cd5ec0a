"""A picture's alt text and caption in each language of the site.

The library keeps one picture with its words in the default language and, where an editor
gives them, in the others; a page in Russian shows the Russian ones (lead image, figures in
the text, sharing metadata, feeds and the API), else the picture's own.
"""

import pytest
from django.urls import reverse

from images.models import Image
from tests.articles import bilingual
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

ALT_RU = "Рыбацкие лодки у причала в сумерках"
CAPTION_RU = "Порт Актау вечером"


def change_url(image: Image) -> str:
    return reverse("admin:images_image_change", args=[image.pk])


def api_story_url(story) -> str:
    return reverse("api-v1:story", kwargs={"slug": story.slug})


def change_data(image: Image, **fields) -> dict:
    data = {
        "title": image.title,
        "alt_text": image.alt_text,
        "caption": image.caption,
        "alt_text_ru": "",
        "caption_ru": "",
        "credit": image.credit,
        "source": image.source,
        "focal_x": str(image.focal_x),
        "focal_y": str(image.focal_y),
        "tags": "",
    }
    data.update(fields)
    return data


@pytest.fixture
def pictured(make_article, make_image, region, rubric):
    """The Almaty talks in English and Russian, both with the same lead image and figure."""
    newsroom = bilingual.build(make_article, region, rubric)
    picture = make_image(
        size=(1200, 800), alt_text="Fishing boats at the quay at dusk", caption="Aktau at night"
    )
    figure = f'<p>Text.</p><figure data-image="{picture.pk}" data-size="wide"></figure>'
    for story in (newsroom.talks, newsroom.talks_ru):
        story.lead_image = picture
        story.body = figure
        story.save()
    newsroom.picture = picture
    return newsroom


def test_an_editor_describes_a_picture_in_russian_in_the_library(editor_client, pictured):
    picture = pictured.picture
    form = editor_client.get(change_url(picture)).content.decode()
    assert "Alt text (Русский)" in form and 'name="caption_ru"' in form and 'lang="ru"' in form

    response = editor_client.post(
        change_url(picture), change_data(picture, alt_text_ru=ALT_RU, caption_ru=CAPTION_RU)
    )

    assert response.status_code == 302
    picture.refresh_from_db()
    assert picture.texts == {"ru": {"alt_text": ALT_RU, "caption": CAPTION_RU}}
    assert picture.alt_text == "Fishing boats at the quay at dusk"  # the English words stay
    form = editor_client.get(change_url(picture)).content.decode()
    assert f'value="{ALT_RU}"' in form and f'value="{CAPTION_RU}"' in form


def test_the_russian_page_shows_the_russian_words_and_the_english_page_the_english(
    client, editor_client, pictured
):
    picture = pictured.picture
    english = client.get(pictured.talks.get_absolute_url()).content.decode()
    russian_before = client.get(pictured.talks_ru.get_absolute_url()).content.decode()
    assert 'alt="Fishing boats at the quay at dusk"' in russian_before  # nothing Russian yet

    editor_client.post(
        change_url(picture), change_data(picture, alt_text_ru=ALT_RU, caption_ru=CAPTION_RU)
    )
    # The page cache held the Russian page: saving the words refreshed it.
    russian = client.get(pictured.talks_ru.get_absolute_url()).content.decode()

    assert russian.count(f'alt="{ALT_RU}"') == 2  # the lead image and the figure in the text
    assert russian.count(CAPTION_RU) == 2
    assert f'<meta property="og:image:alt" content="{ALT_RU}">' in russian
    assert "Fishing boats" not in russian and "Aktau at night" not in russian
    english = client.get(pictured.talks.get_absolute_url()).content.decode()
    assert english.count('alt="Fishing boats at the quay at dusk"') == 2
    assert ALT_RU not in english and CAPTION_RU not in english


def test_a_caption_left_empty_in_russian_shows_the_pictures_own(client, pictured):
    picture = pictured.picture
    picture.texts = {"ru": {"alt_text": ALT_RU, "caption": ""}}
    picture.save()

    russian = client.get(pictured.talks_ru.get_absolute_url()).content.decode()

    assert f'alt="{ALT_RU}"' in russian and "Aktau at night" in russian


def test_clearing_the_russian_words_forgets_them(editor_client, pictured):
    picture = pictured.picture
    picture.texts = {"ru": {"alt_text": ALT_RU, "caption": CAPTION_RU}}
    picture.save()

    editor_client.post(change_url(picture), change_data(picture))

    picture.refresh_from_db()
    assert picture.texts == {}


def test_the_russian_feed_and_api_give_the_russian_words(client, pictured):
    picture = pictured.picture
    picture.texts = {"ru": {"alt_text": ALT_RU, "caption": CAPTION_RU}}
    picture.save()

    feed = client.get("/ru/feed/").content.decode()
    story = client.get(api_story_url(pictured.talks_ru)).json()
    english = client.get(api_story_url(pictured.talks)).json()

    assert f'alt="{ALT_RU}"' in feed.replace("&quot;", '"')
    assert (story["lead_image"]["alt"], story["lead_image"]["caption"]) == (ALT_RU, CAPTION_RU)
    assert f'alt="{ALT_RU}"' in story["body_html"]
    assert english["lead_image"]["alt"] == "Fishing boats at the quay at dusk"


def test_an_author_reading_anothers_picture_sees_its_russian_words(author_user, editor, make_image):
    picture = make_image(uploaded_by=editor)
    picture.texts = {"ru": {"alt_text": ALT_RU, "caption": CAPTION_RU}}
    picture.save()

    response = logged_in(author_user).get(change_url(picture))

    page = response.content.decode()
    assert response.status_code == 200
    assert ALT_RU in page and CAPTION_RU in page and 'name="alt_text_ru"' not in page


def test_control_characters_are_taken_out_of_the_russian_words(editor_client, pictured):
    picture = pictured.picture

    editor_client.post(change_url(picture), change_data(picture, alt_text_ru="Лодки\x07 у причала"))

    picture.refresh_from_db()
    assert picture.texts["ru"]["alt_text"] == "Лодки у причала"


def test_a_translations_form_names_its_pictures_without_alt_text_in_its_language(
    editor_client, pictured
):
    story_url = reverse("admin:articles_article_change", args=[pictured.talks_ru.pk])
    english_url = reverse("admin:articles_article_change", args=[pictured.talks.pk])

    form = editor_client.get(story_url).content.decode()
    assert "No alt text in Русский yet" in form
    assert f'<a href="{change_url(pictured.picture)}">A test picture</a>' in form
    assert "No alt text in" not in editor_client.get(english_url).content.decode()

    pictured.picture.texts = {"ru": {"alt_text": ALT_RU, "caption": ""}}
    pictured.picture.save()
    assert "No alt text in" not in editor_client.get(story_url).content.decode()
