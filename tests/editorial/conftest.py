from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author


def staff(django_user_model, username: str, group: str | None, **extra):
    user = django_user_model.objects.create_user(
        username, f"{username}@newsroom.example", "changeme", is_staff=True, **extra
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db, django_user_model):
    return staff(django_user_model, "edna", "Editors")


@pytest.fixture
def second_editor(db, django_user_model):
    return staff(django_user_model, "bruno", "Editors")


@pytest.fixture
def author_user(db, django_user_model):
    user = staff(django_user_model, "arthur", "Authors")
    Author.objects.create(name="Arthur Dent", slug="arthur-dent", user=user)
    return user


@pytest.fixture
def moderator(db, django_user_model):
    return staff(django_user_model, "mona", "Moderators")


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("root", "root@newsroom.example", "x")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def form_data(article: Article, **overrides) -> dict:
    """Return what the story change form posts for *article* as it is stored."""
    publish_at = timezone.localtime(article.publish_at)
    data = {
        "title": article.title,
        "slug": article.slug,
        "teaser": article.teaser,
        "body": article.body,
        "lead_image_alt": article.lead_image_alt,
        "lead_image_caption": article.lead_image_caption,
        "lead_image_credit": article.lead_image_credit,
        "status": article.status,
        "publish_at_0": publish_at.strftime("%Y-%m-%d"),
        "publish_at_1": publish_at.strftime("%H:%M:%S"),
        # A field with a callable default sends its initial value too (show_hidden_initial).
        "initial-publish_at_0": publish_at.strftime("%Y-%m-%d"),
        "initial-publish_at_1": publish_at.strftime("%H:%M:%S"),
        "authors": [author.pk for author in article.authors.all()],
        "rubric": article.rubric_id,
        "region": article.region_id,
        "tags": ", ".join(article.tags.names()),
        "allow_reviews": "on" if article.allow_reviews else "",
        "correction_note": article.correction_note,
        "revised_at_0": "",
        "revised_at_1": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def open_form() -> Callable:
    """Open a story's change page as *client* and return the form data it would post back."""

    def open_(client, article: Article, **overrides) -> dict:
        response = client.get(change_url(article))
        assert response.status_code == 200
        form = response.context["adminform"].form
        data = form_data(article, **overrides)
        data["loaded_version"] = form["loaded_version"].value()
        data["loaded_history"] = form["loaded_history"].value() or ""
        return data

    return open_


@pytest.fixture
def rules(db):
    from reviews.models import ModerationSettings

    return ModerationSettings.load()


@pytest.fixture
def post_review(client) -> Callable:
    """Post the "Leave a review" form of a story as a reader would (see tests/reviews)."""
    from tests.reviews.conftest import READER_IP, review_data

    def post(article: Article, *, ip: str = READER_IP, **overrides):
        return client.post(
            reverse("reviews:submit", args=(article.pk,)),
            review_data(article, **overrides),
            REMOTE_ADDR=ip,
            HTTP_USER_AGENT="Mozilla/5.0 (test reader)",
        )

    return post
