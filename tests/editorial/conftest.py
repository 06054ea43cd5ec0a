from collections.abc import Callable

import pytest

from articles.models import Article
from tests.helpers import change_url, form_data, staff


@pytest.fixture
def second_editor(db, django_user_model):
    return staff(django_user_model, "bruno", "Editors")


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("root", "root@newsroom.example", "x")


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
