import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.helpers import logged_in, staff

ADD_URL = reverse("admin:auth_user_add")
USERS_URL = reverse("admin:auth_user_changelist")
LINK = re.compile(r"https?://\S+/admin/(?:welcome|reset)/\S+/")


def user_url(user, view: str = "change") -> str:
    return reverse(f"admin:auth_user_{view}", args=[user.pk])


def link_in(message) -> str:
    """Return the path of the one set-password link in an email."""
    found = LINK.findall(message.body)
    assert len(found) == 1, message.body
    return urlsplit(found[0]).path


def invite_data(**overrides) -> dict:
    data = {
        "username": "nina",
        "first_name": "Nina",
        "last_name": "Simone",
        "email": "nina@newsroom.example",
        "groups": [Group.objects.get(name="Authors").pk],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def administrator(db, django_user_model):
    return staff(django_user_model, "ada", "Administrators")


@pytest.fixture
def administrator_client(administrator):
    return logged_in(administrator)
