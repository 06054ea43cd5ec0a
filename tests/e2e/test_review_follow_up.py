"""A reader confirms "email me when my review is published" from the link in the email, in a
real browser: the confirmation page keeps its secret address out of Referers without making
the browser's POST look cross-site to the CSRF check."""

import pytest
from django.urls import reverse

from reviews import followup
from reviews.models import Review

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_reader_confirms_the_follow_up_from_the_emailed_link(new_page, make_article):
    review = Review.objects.create(
        article=make_article(),
        name="Nino",
        email="nino@example.org",
        body="A fair account of the port talks.",
        follow_up=Review.FollowUp.UNCONFIRMED,
    )
    reader = new_page("reader")
    answer = reader.goto(
        reverse("reviews:follow-up-confirm", args=[followup.confirm_token(review)])
    )
    assert answer.headers["referrer-policy"] == "strict-origin"

    reader.get_by_role("button", name="Yes, email me").click()

    reader.get_by_role("heading", name="Thank you — your address is confirmed").wait_for()
    review.refresh_from_db()
    assert review.follow_up == Review.FollowUp.CONFIRMED
