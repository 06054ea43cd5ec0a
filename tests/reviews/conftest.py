from collections.abc import Callable

import pytest

from reviews.models import Review
from reviews.services import client_fingerprint


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
