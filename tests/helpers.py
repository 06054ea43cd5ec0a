"""Helpers shared by the test packages: staff users, the story admin's form, a reader's review.

Fixtures built on them (``editor``, ``author_user``, ``moderator``, ``editor_client``,
``rules``, ``post_review``) are in ``tests/conftest.py``.
"""

import io
import time

from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw as PILImageDraw

from articles.models import Article
from reviews.forms import sign_timestamp

READER_IP = "203.0.113.7"
# The site's configured origin: every absolute URL in a page, feed or email starts with it,
# never with the test client's host ("testserver").
SITE = settings.SITE_URL


def picture_bytes(size=(320, 200), fmt="JPEG", color=(200, 40, 40)) -> bytes:
    """Return a picture made with Pillow in memory: a plain colour, a white square in it."""
    picture = PILImage.new("RGB", size, color)
    width, height = size
    PILImageDraw.Draw(picture).rectangle(
        (width // 3, height // 3, 2 * width // 3, 2 * height // 3), fill=(255, 255, 255)
    )
    buffer = io.BytesIO()
    picture.save(buffer, fmt)
    return buffer.getvalue()


def counted(client, url: str, django_assert_num_queries, expected: int, **params):
    """Ask for *url* once (filling the shared blocks), then again, counting its queries."""
    client.get(url, params)
    with django_assert_num_queries(expected):
        return client.get(url, params)


def logged_in(user) -> Client:
    """Return a test client of its own, logged in as *user* (one browser each)."""
    client = Client()
    client.force_login(user)
    return client


def staff(django_user_model, username: str, group: str | None, **extra):
    """Create a staff user in *group* (a role made by the migrations), with an email address."""
    user = django_user_model.objects.create_user(
        username, f"{username}@newsroom.example", "changeme", is_staff=True, **extra
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def form_data(article: Article | None = None, **overrides) -> dict:
    """Return what the story add/change form posts: *article* as stored, or a fresh story.

    Fields whose value is None are left out, as a browser leaves out an empty select.
    """
    publish_at = timezone.localtime(article.publish_at if article else timezone.now())
    data = {
        "title": article.title if article else "Gas deal in the South Caucasus",
        "slug": article.slug if article else "gas-deal-south-caucasus",
        "teaser": article.teaser if article else "Three capitals, one pipeline.",
        "body": article.body if article else "<p>The talks went on until dawn.</p>",
        "lead_image": (article.lead_image_id or "") if article else "",
        "status": article.status if article else Article.Status.DRAFT,
        "publish_at_0": publish_at.strftime("%Y-%m-%d"),
        "publish_at_1": publish_at.strftime("%H:%M:%S"),
        "authors": [author.pk for author in article.authors.all()] if article else [],
        "rubric": article.rubric_id if article else "",
        "region": article.region_id if article else "",
        "tags": ", ".join(article.tags.names()) if article else "energy",
        "allow_reviews": "on" if article is None or article.allow_reviews else "",
        "revised_at_0": "",
        "revised_at_1": "",
    }
    if article is not None:
        # A field with a callable default sends its initial value too (show_hidden_initial).
        data["initial-publish_at_0"] = data["publish_at_0"]
        data["initial-publish_at_1"] = data["publish_at_1"]
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def review_data(article: Article, **overrides) -> dict:
    """Return a valid review form submission for *article*, as if shown a minute ago."""
    data = {
        "name": "Nino Beridze",
        "email": "nino@example.org",
        "body": "A careful piece.\nThe second paragraph about the border talks was the best.",
        "website": "",
        "timestamp": sign_timestamp(article.pk, at=time.time() - 60),
    }
    data.update(overrides)
    return data


def tamper(data: dict, **fields) -> dict:
    """Return a copy of a submission with some fields overridden, as a script would send it."""
    return {**data, **fields}
