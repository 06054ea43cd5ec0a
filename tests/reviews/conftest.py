import time
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from articles.models import Article
from reviews.forms import sign_timestamp
from reviews.models import ModerationSettings, Review
from reviews.services import client_fingerprint

READER_IP = "203.0.113.7"


@pytest.fixture
def rules(db) -> ModerationSettings:
    """Return the editors' rules as the migration created them."""
    return ModerationSettings.load()


def review_data(article: Article, **overrides) -> dict:
    """Return a valid form submission for *article*, as if shown a minute ago."""
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


@pytest.fixture
def post_review(client) -> Callable:
    def post(article: Article, *, data: dict | None = None, ip: str = READER_IP, **overrides):
        payload = data if data is not None else review_data(article, **overrides)
        return client.post(
            reverse("reviews:submit", args=(article.pk,)),
            payload,
            REMOTE_ADDR=ip,
            HTTP_USER_AGENT="Mozilla/5.0 (test reader)",
        )

    return post


@pytest.fixture
def make_review(published_article) -> Callable[..., Review]:
    def make(**fields) -> Review:
        fields.setdefault("article", published_article)
        fields.setdefault("name", "A reader")
        fields.setdefault("email", "reader@example.org")
        fields.setdefault("body", "An opinion about the story.")
        fields.setdefault("status", Review.Status.APPROVED)
        fields.setdefault("fingerprint", client_fingerprint("198.51.100.1"))
        return Review.objects.create(**fields)

    return make


def user_in_group(django_user_model, username: str, group: str | None, **extra):
    user = django_user_model.objects.create_user(
        username, f"{username}@newsroom.example", "changeme", is_staff=True, **extra
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def moderator(db, django_user_model):
    return user_in_group(django_user_model, "moderator", "Moderators")


@pytest.fixture
def editor(db, django_user_model):
    return user_in_group(django_user_model, "editor", "Editors")


@pytest.fixture
def author(db, django_user_model):
    return user_in_group(django_user_model, "author", "Authors")
