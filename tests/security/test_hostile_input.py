"""Hostile input through every public form and query parameter, and through story fields.

The corpus is tests/security/payloads.py. Wherever it goes in, the answer is a page (or a
clear refusal), never a server error, and nothing of it comes back as live markup
(tests/security/html_safety.py). Template syntax stays text: no secret, no debug dump.
"""

import json
import re
import time
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from taggit.models import Tag

from articles.feeds import CONTENT_NAMESPACE
from articles.models import Article
from articles.seo import HEADLINE_MAX_LENGTH
from images.models import Image
from reviews.forms import sign_timestamp
from reviews.models import Review
from tests.helpers import SITE, picture_bytes
from tests.security import payloads
from tests.security.forms import form_data
from tests.security.html_safety import live_markup

EDITOR_IP = "203.0.113.50"


def assert_safe_page(response, payload: str | None = None) -> None:
    """The page answered without a server error and holds no live markup from *payload*."""
    assert response.status_code < 500, response.status_code
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    html = response.content.decode()
    assert live_markup(html) == []
    if payload and "<" in payload:
        assert payload not in html, "the payload came back unescaped"
    assert settings.SECRET_KEY not in html
    assert "'sql_queries'" not in html and "DEFAULT_CHARSET" not in html, "a debug dump"


@pytest.fixture
def story(published_article) -> Article:
    published_article.tags.add("energy")
    return published_article


# Query parameters of the reader pages ----------------------------------------------------


@pytest.mark.parametrize("payload", payloads.ALL, ids=range(len(payloads.ALL)))
def test_search_shows_any_query_as_text(client, story, payload):
    response = client.get(reverse("search"), {"q": payload})

    assert response.status_code == 200
    assert_safe_page(response, payload)


@pytest.mark.parametrize("payload", payloads.SQL + payloads.XSS[:4] + payloads.CONTROL[:2])
def test_search_filters_and_page_number_take_anything(client, story, payload):
    for params in (
        {"q": "Almaty", "region": payload},
        {"q": "Almaty", "rubric": payload},
        {"q": "Almaty", "page": payload},
        {"q": payload, "region": payload, "rubric": payload, "page": payload},
    ):
        response = client.get(reverse("search"), params)

        assert response.status_code == 200, params
        assert_safe_page(response, payload)


@pytest.mark.parametrize("payload", payloads.SQL + payloads.XSS[:4] + payloads.CONTROL[:2])
def test_list_and_story_pages_refuse_strange_page_numbers_with_404(client, story, payload):
    for path, parameter in (
        ("/", "page"),
        (story.region.get_absolute_url(), "page"),
        (story.rubric.get_absolute_url(), "page"),
        (reverse("articles:tag", args=["energy"]), "page"),
    ):
        response = client.get(path, {parameter: payload})

        assert response.status_code in (200, 404), (path, response.status_code)
        assert_safe_page(response, payload)

    # Not a page of reviews: nothing a cache could be made to keep.
    response = client.get(story.get_absolute_url(), {"reviews_page": payload})
    assert response.status_code == 404
    assert_safe_page(response, payload)


@pytest.mark.parametrize("raw", payloads.RAW_QUERY_VALUES)
def test_invalid_utf8_in_query_strings_and_paths_is_no_error(client, story, raw):
    for path, query in (
        (reverse("search"), f"q={raw}"),
        (reverse("search"), f"q=almaty&region={raw}&rubric={raw}&page={raw}"),
        (story.get_absolute_url(), f"reviews_page={raw}"),
        (story.region.get_absolute_url(), f"page={raw}"),
        ("/", f"page={raw}&{raw}={raw}"),
    ):
        response = client.get(path, QUERY_STRING=query)

        assert response.status_code in (200, 404), (path, query, response.status_code)
        assert_safe_page(response)

    for path in (f"/articles/{raw}/", f"/regions/{raw}/", f"/tags/{raw}/", f"/{raw}"):
        response = client.get(path)
        assert response.status_code in (400, 404), (path, response.status_code)


# The review form ---------------------------------------------------------------------------


def review_post(client, article: Article, **fields):
    data = {
        "name": "A reader",
        "email": "reader@example.org",
        "body": "A fair and careful piece.",
        "website": "",
        "timestamp": sign_timestamp(article.pk, at=time.time() - 60),
    }
    data.update(fields)
    return client.post(reverse("reviews:form", args=(article.slug,)), data)


@pytest.fixture
def no_rate_limit(settings):
    settings.REVIEWS_RATE_LIMIT_COUNT = 0


@pytest.mark.parametrize("payload", payloads.ALL, ids=range(len(payloads.ALL)))
def test_review_name_and_text_never_come_back_as_markup(client, story, no_rate_limit, payload):
    response = review_post(client, story, name=payload[:80], body=f"Opinion: {payload}")

    assert response.status_code in (302, 400), response.status_code
    assert_safe_page(response, payload)
    # Whatever was stored, a moderator approves it, and the story shows it escaped.
    Review.objects.update(status=Review.Status.APPROVED)
    page = client.get(story.get_absolute_url())
    assert page.status_code == 200
    assert_safe_page(page, payload)
    for review in Review.objects.all():
        assert "\x00" not in review.name + review.body
        assert "\u202e" not in review.name + review.body


@pytest.mark.parametrize("field", ["email", "website", "timestamp"])
@pytest.mark.parametrize("payload", payloads.XSS + payloads.SQL + payloads.CONTROL[:2])
def test_other_review_fields_take_anything_without_error(
    client, story, no_rate_limit, field, payload
):
    response = review_post(client, story, **{field: payload})

    assert response.status_code in (302, 400), response.status_code
    assert_safe_page(response, payload)
    if field != "website":
        # A bad address or a forged timestamp: refused at the field, nothing stored.
        assert response.status_code == 400
        assert not Review.objects.exists()


def test_a_review_for_an_absurd_story_id_is_404(client, story):
    response = client.post("/articles/99999999999999999999/review/", {"name": "x"})

    assert response.status_code == 404


# Story fields saved by an editor -----------------------------------------------------------

STORY_FIELDS = ("title", "teaser", "correction")
# What a story shows of its pictures comes from the image library, where editors describe them.
IMAGE_FIELDS = ("title", "alt_text", "caption", "credit", "source")


@pytest.fixture
def editor_client(client, django_user_model):
    from django.contrib.auth.models import Group

    editor = django_user_model.objects.create_user("edna", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    return client


def upload_image(client, payload: str):
    """Upload a picture through the image library's admin with *payload* in every text field."""
    add_url = reverse("admin:images_image_add")
    page = client.get(add_url)
    data = form_data(
        page.content.decode(),
        "image_form",
        **dict.fromkeys(IMAGE_FIELDS, payload),
        tags="plain keyword",
    )
    data["file"] = SimpleUploadedFile("hostile.jpg", picture_bytes(), content_type="image/jpeg")
    return client.post(add_url, data, REMOTE_ADDR=EDITOR_IP)


def save_story(client, number: int, payload: str, region, rubric, image: Image | None = None):
    """Save a published story through the admin's add form with *payload* in every field.

    With *image*, the story leads with it and shows it again as a figure in its text.
    """
    add_url = reverse("admin:articles_article_add")
    page = client.get(add_url)
    figure = f'<figure data-image="{image.pk}" data-size="wide"></figure>' if image else ""
    data = form_data(
        page.content.decode(),
        "article_form",
        **dict.fromkeys(STORY_FIELDS, payload),
        slug=f"hostile-{number}",
        # The figure first: an unclosed tag in the payload swallows what follows it.
        body=f"{figure}<p>{payload}</p>{payload}",
        tags=f'"{payload}", plain tag',
        status="published",
        rubric=str(rubric.pk),
        region=str(region.pk),
        lead_image=str(image.pk) if image else "",
    )
    return client.post(add_url, data, REMOTE_ADDR=EDITOR_IP)


def news_article(html: str) -> dict:
    """Return the NewsArticle JSON-LD of a story page, as a search engine reads it."""
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    (item,) = [data for data in map(json.loads, blocks) if data.get("@type") == "NewsArticle"]
    return item


def feed_contents(xml: bytes) -> list[str]:
    """Return the story HTML of each entry of an RSS or Atom feed, as a feed reader gets it."""
    root = ElementTree.fromstring(xml)  # still well-formed XML
    tags = (f"{{{CONTENT_NAMESPACE}}}encoded", "{http://www.w3.org/2005/Atom}content")
    return [element.text or "" for tag in tags for element in root.iter(tag)]


@pytest.mark.parametrize("payload", payloads.SHORT, ids=range(len(payloads.SHORT)))
def test_story_and_image_text_from_the_admin_is_shown_as_text_everywhere(
    editor_client, region, rubric, payload
):
    number = payloads.SHORT.index(payload)

    uploaded = upload_image(editor_client, payload)

    assert uploaded.status_code in (200, 302), uploaded.status_code
    if uploaded.status_code == 200:
        # Refused (e.g. NUL characters): the form says why, at the fields.
        assert uploaded.context["adminform"].form.errors
        assert not Image.objects.exists()
        image = None
    else:
        image = Image.objects.get()
        assert image.renditions, "the upload was processed"
        for path in (
            reverse("admin:images_image_changelist"),
            reverse("admin:images_image_change", args=[image.pk]),
        ):
            admin_page = editor_client.get(path)
            assert admin_page.status_code == 200, path
            if "<" in payload:
                assert payload not in admin_page.content.decode(), path

    response = save_story(editor_client, number, payload, region, rubric, image)

    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        # Refused (e.g. NUL characters, or an image whose alt text is only invisible
        # characters): the form says why, at the fields.
        form = response.context["adminform"].form
        assert form.errors
        assert not Article.objects.filter(slug=f"hostile-{number}").exists()
        return
    story = Article.objects.get(slug=f"hostile-{number}")
    assert story.lead_image == image
    assert "<script" not in story.body.lower()
    reader = Client()
    pages = [
        story.get_absolute_url(),
        "/",
        story.region.get_absolute_url(),
        story.rubric.get_absolute_url(),
        reverse("search") + "?q=plain",
        *(reverse("articles:tag", args=[tag.slug]) for tag in Tag.objects.all()),
    ]
    for path in pages:
        page = reader.get(path)
        assert page.status_code == 200, path
        assert_safe_page(page, payload)
    html = reader.get(story.get_absolute_url()).content.decode()
    data = news_article(html)
    assert data["headline"] == story.title[:HEADLINE_MAX_LENGTH]
    assert data["description"] == story.teaser
    if image is not None:
        # The picture's words are on the page, escaped: its alt text (lead picture, figure,
        # og:image:alt), its caption and credit.
        for text in (image.alt_text, image.caption, image.credit):
            assert escape(text) in html
        assert html.count(f'alt="{escape(image.alt_text)}"') >= 2
        assert data["image"] and all(url.startswith(f"{SITE}/media/") for url in data["image"])
    for feed in ("/feed/", "/feed/atom/", story.region.get_absolute_url() + "feed/"):
        page = reader.get(feed)
        assert page.status_code == 200
        (content,) = feed_contents(page.content)
        assert live_markup(content) == [], feed
        if "<" in payload:
            assert payload not in content, feed
        if image is not None:
            assert f'alt="{escape(image.alt_text)}"' in content, feed
    changelist = editor_client.get(reverse("admin:articles_article_changelist"))
    assert changelist.status_code == 200


@pytest.mark.parametrize("payload", payloads.LONG, ids=["ascii", "words", "cyrillic", "emoji"])
def test_overlong_story_fields_are_refused_at_the_field(editor_client, region, rubric, payload):
    response = save_story(editor_client, 0, payload, region, rubric)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"title", "teaser"} <= set(errors)
    # Nothing typed is lost: the form comes back with the text.
    assert payload[:100] in response.content.decode()
