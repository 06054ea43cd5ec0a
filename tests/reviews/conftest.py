import time
from collections.abc import Callable

import pytest
from django.urls import reverse

from reviews.forms import sign_report_timestamp
from reviews.models import Review
from reviews.services import client_fingerprint
from tests.helpers import READER_IP, review_data


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


@pytest.fixture
def post_reply(client) -> Callable:
    """Post the reply form of a review as a reader would (the review form, for a reply)."""

    def post(parent: Review, *, ip: str = READER_IP, **overrides):
        return client.post(
            reverse("reviews:reply", args=(parent.article.slug, parent.pk)),
            review_data(parent.article, **overrides),
            REMOTE_ADDR=ip,
            HTTP_USER_AGENT="Mozilla/5.0 (test reader)",
        )

    return post


def report_data(review: Review, **overrides) -> dict:
    """Return a valid report of *review*, as if its form was shown a minute ago."""
    data = {
        "reason": "abuse",
        "text": "",
        "website": "",
        "timestamp": sign_report_timestamp(review.pk, at=time.time() - 60),
    }
    data.update(overrides)
    return data


@pytest.fixture
def post_report(client) -> Callable:
    """Report a review from the client at *ip*, as a reader pressing "Report" would."""

    def post(review: Review, *, ip: str = READER_IP, **overrides):
        return client.post(
            reverse("reviews:report", args=(review.pk,)),
            report_data(review, **overrides),
            REMOTE_ADDR=ip,
        )

    return post
