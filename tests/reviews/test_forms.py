"""The "Leave a review" form: the happy path and every way it refuses a submission."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from reviews.forms import TIMESTAMP_SALT, ReviewForm, sign_timestamp
from reviews.models import Review
from tests.helpers import review_data, tamper

pytestmark = pytest.mark.django_db


def form_errors(response) -> dict:
    return response.context["review_form"].errors


def test_reader_sends_a_review_and_it_waits_for_a_moderator(published_article, post_review):
    response = post_review(published_article)

    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:form", args=[published_article.slug])
    review = Review.objects.get()
    assert review.status == Review.Status.PENDING
    assert review.name == "Nino Beridze"
    assert review.body.startswith("A careful piece.\nThe second paragraph")
    assert review.user_agent == "Mozilla/5.0 (test reader)"


def test_fingerprint_is_a_keyed_hash_not_the_ip(published_article, post_review):
    post_review(published_article, ip="203.0.113.7")

    review = Review.objects.get()
    assert len(review.fingerprint) == 64
    assert "203.0.113.7" not in review.fingerprint
    assert "203" not in review.user_agent


@pytest.mark.parametrize("field", ["name", "email", "body"])
def test_empty_required_field_is_refused_at_that_field(published_article, post_review, field):
    response = post_review(published_article, **{field: ""})

    assert response.status_code == 400
    assert field in form_errors(response)
    assert not Review.objects.exists()


def test_whitespace_only_body_is_refused(published_article, post_review):
    response = post_review(published_article, body="   \n\t  ")

    assert response.status_code == 400
    assert "body" in form_errors(response)


def test_one_character_body_is_too_short(published_article, post_review):
    response = post_review(published_article, body="x")

    assert "body" in form_errors(response)


def test_body_over_3000_characters_is_refused_and_kept(published_article, post_review):
    body = "word " * 700
    response = post_review(published_article, body=body)

    assert response.status_code == 400
    assert "3000" in str(form_errors(response)["body"]).replace(",", "")
    assert "word word word" in response.content.decode()
    assert not Review.objects.exists()


def test_body_of_exactly_3000_characters_is_accepted(published_article, post_review):
    response = post_review(published_article, body="a" * 3000)

    assert response.status_code == 302
    assert len(Review.objects.get().body) == 3000


def test_bad_email_is_refused(published_article, post_review):
    response = post_review(published_article, email="not-an-address")

    assert response.status_code == 400
    assert "email" in form_errors(response)


def test_nul_byte_in_body_is_refused_without_a_500(published_article, post_review):
    response = post_review(published_article, body="Hello\x00world")

    assert response.status_code == 400
    assert "body" in form_errors(response)
    assert not Review.objects.exists()


def test_nul_byte_in_name_is_refused_without_a_500(published_article, post_review):
    response = post_review(published_article, name="Evil\x00name")

    assert response.status_code == 400
    assert "name" in form_errors(response)


def test_control_characters_are_stripped(published_article, post_review):
    response = post_review(
        published_article, name="Ann\x07a\u202e", body="Line one\r\nLine\x1b two\x7f\tend"
    )

    assert response.status_code == 302
    review = Review.objects.get()
    assert review.name == "Anna"
    assert review.body == "Line one\nLine two\tend"


def test_unicode_names_and_bodies_are_kept(published_article, post_review):
    response = post_review(
        published_article, name="Գայանե Ժամկոչյան", body="Очень точно 👍 — ძალიან კარგი"
    )

    assert response.status_code == 302
    review = Review.objects.get()
    assert review.name == "Գայանե Ժամկոչյան"
    assert review.body == "Очень точно 👍 — ძალიან კარგი"


def test_duplicate_review_from_same_reader_is_refused(published_article, post_review):
    post_review(published_article)
    response = post_review(published_article)

    assert response.status_code == 400
    assert "already sent this review" in str(form_errors(response)["body"])
    assert Review.objects.count() == 1


def test_same_text_from_another_reader_is_not_a_duplicate(published_article, post_review):
    post_review(published_article, ip="203.0.113.7")
    response = post_review(published_article, ip="203.0.113.99")

    assert response.status_code == 302
    assert Review.objects.count() == 2


def test_same_text_a_day_later_is_not_a_duplicate(published_article, post_review):
    post_review(published_article)
    Review.objects.update(created_at=timezone.now() - timedelta(hours=25))

    assert post_review(published_article).status_code == 302


def test_honeypot_filled_is_stored_as_spam_with_the_same_thanks(
    published_article, post_review, client
):
    response = post_review(published_article, website="http://spam.example")

    assert response.status_code == 302
    review = Review.objects.get()
    assert review.status == Review.Status.SPAM
    assert review.reasons == ["honeypot field filled in"]
    page = client.get(response["Location"]).content.decode()
    assert "will appear once a moderator approves it" in page


def test_too_fast_submission_is_stored_as_spam(published_article, post_review):
    response = post_review(published_article, timestamp=sign_timestamp(published_article.pk))

    assert response.status_code == 302
    review = Review.objects.get()
    assert review.status == Review.Status.SPAM
    assert review.reasons[0].startswith("sent 0 s after the form was shown")


def test_stale_form_asks_to_send_again_and_keeps_the_text(published_article, post_review):
    stale = sign_timestamp(published_article.pk)
    data = review_data(published_article, timestamp=stale)
    later = time.time() + 3 * 60 * 60
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: later)
        response = post_review(published_article, data=data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "so it expired" in page
    assert "The second paragraph about the border talks" in page
    form = response.context["review_form"]
    assert form.data["timestamp"] != stale
    assert not Review.objects.exists()


def test_tampered_timestamp_is_refused(published_article, post_review):
    data = tamper(review_data(published_article), timestamp="1700000000:forged")

    response = post_review(published_article, data=data)

    assert response.status_code == 400
    assert "could not check this form" in response.content.decode()
    assert not Review.objects.exists()


def test_timestamp_signed_with_another_salt_is_refused(published_article, post_review):
    forged = signing.dumps({"story": published_article.pk, "at": time.time() - 60}, salt="x")
    data = tamper(review_data(published_article), timestamp=forged)

    assert post_review(published_article, data=data).status_code == 400


def test_timestamp_for_another_story_is_refused(published_article, make_article, post_review):
    other = make_article()
    data = tamper(
        review_data(published_article), timestamp=sign_timestamp(other.pk, at=time.time() - 60)
    )

    assert post_review(published_article, data=data).status_code == 400
    assert not Review.objects.exists()


def test_missing_timestamp_is_refused_with_a_fresh_one(published_article, post_review):
    data = review_data(published_article)
    del data["timestamp"]

    response = post_review(published_article, data=data)

    assert response.status_code == 400
    assert "could not check this form" in response.content.decode()
    assert response.context["review_form"].data["timestamp"]
    assert not Review.objects.exists()


def test_email_is_stored_in_lower_case(published_article, post_review):
    post_review(published_article, email="Nino@Example.ORG")

    assert Review.objects.get().email == "nino@example.org"


def test_timestamp_signing_uses_json_not_pickle(published_article):
    value = sign_timestamp(published_article.pk)

    payload = signing.loads(value, salt=TIMESTAMP_SALT)
    assert payload["story"] == published_article.pk


def test_fresh_form_carries_a_signed_timestamp_and_a_hidden_honeypot(published_article):
    html = str(ReviewForm(article=published_article))

    assert 'name="timestamp"' in html
    assert 'type="hidden"' in html
    assert 'tabindex="-1"' in html
    assert 'autocomplete="off"' in html
