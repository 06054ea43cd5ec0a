"""An author's name and bio as each language spells them.

An author is one row for every language (they write in any); a Russian page spells their name
in Cyrillic where an editor gave it: bylines, the author page and its feed, the structured
data, the API and the newsletter's choices. Elsewhere, the name as it is.
"""

import json
import re

import pytest
from django.urls import reverse

from articles.models import Author
from tests.articles import bilingual

pytestmark = pytest.mark.django_db

NAME_RU = "Нино Беридзе"
BIO_RU = "Пишет о Грузии из Тбилиси."


@pytest.fixture
def newsroom(make_article, region, rubric):
    return bilingual.build(make_article, region, rubric)


def spell_nino_in_russian():
    nino = Author.objects.get(slug="nino")
    nino.texts = {"ru": {"name": NAME_RU, "bio": BIO_RU}}
    nino.save()


def author_data(page: str) -> list[dict]:
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S):
        data = json.loads(block)
        if data.get("@type") == "NewsArticle":
            return data["author"]
    raise AssertionError("no NewsArticle")


def test_an_editor_spells_an_authors_name_and_bio_in_russian(editor_client, newsroom):
    nino = Author.objects.get(slug="nino")
    url = reverse("admin:articles_author_change", args=[nino.pk])
    form = editor_client.get(url).content.decode()
    assert "Display name (Русский)" in form and "Short bio (Русский)" in form
    assert form.index('name="bio"') < form.index('name="name_ru"') < form.index('name="photo"')

    saved = editor_client.post(
        url,
        {"name": "Nino B.", "slug": "nino", "bio": "", "name_ru": NAME_RU, "bio_ru": BIO_RU},
    )

    assert saved.status_code == 302
    nino.refresh_from_db()
    assert (nino.name, nino.texts) == ("Nino B.", {"ru": {"name": NAME_RU, "bio": BIO_RU}})


def test_bylines_spell_the_author_in_the_storys_language(client, newsroom):
    english_before = client.get(newsroom.talks_ru.get_absolute_url()).content.decode()
    assert "Nino B." in english_before  # no Russian spelling yet: the name as it is

    spell_nino_in_russian()  # the cached pages are refreshed

    russian = client.get(newsroom.talks_ru.get_absolute_url()).content.decode()
    english = client.get(newsroom.talks.get_absolute_url()).content.decode()
    assert f'rel="author">{NAME_RU}</a>' in russian and "Nino B." not in russian
    assert [person["name"] for person in author_data(russian)] == [NAME_RU]
    assert 'rel="author">Nino B.</a>' in english and NAME_RU not in english
    assert [person["name"] for person in author_data(english)] == ["Nino B."]


def test_the_russian_author_page_and_feed_spell_the_author_in_russian(client, newsroom):
    spell_nino_in_russian()

    russian = client.get("/ru/authors/nino/").content.decode()
    english = client.get("/authors/nino/").content.decode()
    feed = client.get("/ru/authors/nino/feed/").content.decode()

    assert f"<h1>{NAME_RU}</h1>" in russian and BIO_RU in russian
    assert "<h1>Nino B.</h1>" in english and BIO_RU not in english
    assert f"<title>{NAME_RU} · " in feed


def test_the_api_spells_the_author_in_the_language_asked_for(client, newsroom):
    spell_nino_in_russian()

    russian = client.get("/api/v1/authors/nino/", {"language": "ru"}).json()
    english = client.get("/api/v1/authors/nino/").json()
    story = client.get(f"/api/v1/stories/{newsroom.talks_ru.slug}/").json()

    assert (russian["name"], russian["bio"]) == (NAME_RU, BIO_RU)
    assert english["name"] == "Nino B."
    assert [author["name"] for author in story["authors"]] == [NAME_RU]


def test_the_russian_newsletter_offers_the_author_by_their_russian_name(client, newsroom):
    spell_nino_in_russian()

    russian = client.get("/ru/newsletter/").content.decode()
    english = client.get("/newsletter/").content.decode()

    assert NAME_RU in russian and "Nino B." not in russian
    assert "Nino B." in english
