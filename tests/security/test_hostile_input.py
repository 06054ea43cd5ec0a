"""Hostile input through every public form and query parameter, and through story fields.

The corpus is tests/security/payloads.py. Wherever it goes in, the answer is a page (or a
clear refusal), never a server error, and nothing of it comes back as live markup
(tests/security/html_safety.py). Template syntax stays text: no secret, no debug dump.
"""

import time
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article
from reviews.forms import sign_timestamp
from reviews.models import Review
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

STORY_FIELDS = (
    "title",
    "teaser",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    "correction_note",
)


@pytest.fixture
def editor_client(client, django_user_model):
    from django.contrib.auth.models import Group

    editor = django_user_model.objects.create_user("edna", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    return client


def save_story(client, number: int, payload: str, region, rubric):
    """Save a published story through the admin's add form with *payload* in every field."""
    add_url = reverse("admin:articles_article_add")
    page = client.get(add_url)
    data = form_data(
        page.content.decode(),
        "article_form",
        **dict.fromkeys(STORY_FIELDS, payload),
        slug=f"hostile-{number}",
        body=f"<p>{payload}</p>{payload}",
        tags=f'"{payload}", plain tag',
        status="published",
        rubric=str(rubric.pk),
        region=str(region.pk),
    )
    return client.post(add_url, data, REMOTE_ADDR=EDITOR_IP)


@pytest.mark.parametrize("payload", payloads.SHORT, ids=range(len(payloads.SHORT)))
def test_story_fields_from_the_admin_are_shown_as_text_everywhere(
    editor_client, region, rubric, payload
):
    number = payloads.SHORT.index(payload)

    response = save_story(editor_client, number, payload, region, rubric)

    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        # Refused (e.g. NUL characters): the form says why, at the fields.
        form = response.context["adminform"].form
        assert form.errors
        assert not Article.objects.filter(slug=f"hostile-{number}").exists()
        return
    story = Article.objects.get(slug=f"hostile-{number}")
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
    for feed in ("/feed/", "/feed/atom/", story.region.get_absolute_url() + "feed/"):
        page = reader.get(feed)
        assert page.status_code == 200
        ElementTree.fromstring(page.content)  # still well-formed XML
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
