"""The emailed link: what we hold, as a page and as a JSON file, for one hour, never a 500."""

import json
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from datarights import links
from datarights.models import DataRequest
from datarights.retention import forget_expired_requests
from reviews.models import Review, ReviewEmailOptOut
from tests.datarights.conftest import READER

pytestmark = pytest.mark.django_db


def token_of(path: str) -> str:
    return path.split("/")[2]


def test_the_page_is_private_uncached_unindexed_and_sends_no_referrer(data_link, client):
    page = client.get(data_link())

    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in page.content.decode()


def test_the_page_lists_reviews_with_what_is_stored_with_them(data_link, client, reader_data):
    ReviewEmailOptOut.objects.create(email_hash=ReviewEmailOptOut.hash_email(READER))

    html = client.get(data_link()).content.decode()

    assert "The Almaty talks" in html and "Nino Beridze" in html
    assert "Mozilla/5.0 (Nino&#x27;s laptop)" in html
    assert reader_data["published"].fingerprint in html
    assert "this address asked for no more emails about reviews" in html
    assert ReviewEmailOptOut.hash_email(READER) in html
    assert "Daily" in html and "Post-Soviet region" in html


def test_a_story_taken_down_since_is_not_named(data_link, client, reader_data):
    story = reader_data["published"].article
    story.status = "draft"
    story.title = "A new title nobody outside may read yet"
    story.save()

    html = client.get(data_link()).content.decode()

    assert "A new title nobody outside may read yet" not in html
    assert "a story no longer on the site" in html


def test_the_download_is_a_json_file_of_everything_held(data_link, client, reader_data):
    path = data_link()

    answer = client.get(f"{path}download/")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json"
    assert answer["Content-Disposition"].startswith('attachment; filename="your-data-')
    assert "no-store" in answer["Cache-Control"]
    assert answer["Referrer-Policy"] == "no-referrer"
    data = json.loads(answer.content)
    assert data["address"] == READER
    by_id = {review["id"]: review for review in data["reviews"]}
    published = by_id[reader_data["published"].pk]
    assert published["text"] == "A careful piece about the border talks."
    assert published["status"] == "Approved"
    assert published["story"] == "The Almaty talks"
    assert published["story_url"] == "http://127.0.0.1:8000/articles/the-almaty-talks/"
    assert published["user_agent"] == "Mozilla/5.0 (Nino's laptop)"
    assert by_id[reader_data["pending"].pk]["status"] == "Pending"
    subscription = data["newsletter_subscription"]
    assert subscription["email"] == READER
    assert subscription["regions"] == ["Post-Soviet region"]
    assert subscription["digest"] == "Daily"
    assert data["review_email_opt_out"] is None


def test_a_link_expires_after_one_hour(data_link, client):
    path = data_link()
    an_hour_later = time.time() + links.MAX_AGE.total_seconds() + 1

    with mock.patch("django.core.signing.time.time", return_value=an_hour_later):
        page = client.get(path)
        download = client.get(f"{path}download/")
        erase = client.post(f"{path}erase/")

    assert [page.status_code, download.status_code, erase.status_code] == [410, 410, 410]
    assert "This link has expired" in page.content.decode()
    assert 'href="/your-data/"' in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer"
    assert Review.objects.filter(email=READER).count() == 2, "nothing was erased"


def test_a_link_works_until_its_hour_is_over(data_link, client):
    path = data_link()
    almost_an_hour_later = time.time() + links.MAX_AGE.total_seconds() - 5

    with mock.patch("django.core.signing.time.time", return_value=almost_an_hour_later):
        assert client.get(path).status_code == 200


def test_the_address_is_forgotten_once_the_link_has_expired(data_link):
    data_link()
    assert DataRequest.objects.filter(email=READER).exists()

    assert forget_expired_requests(now=timezone.now() + timedelta(minutes=59)) == 0
    assert forget_expired_requests(now=timezone.now() + timedelta(minutes=61)) == 1
    assert not DataRequest.objects.exists()


def test_a_tampered_link_is_refused_with_a_clear_page(data_link, client):
    token = token_of(data_link())
    payload, rest = token.split(":", 1)
    other = DataRequest.objects.create(email="someone-else@example.org")
    forged = signing.b64_encode(b'{"r":%d}' % other.pk).decode()

    for bad in (f"{forged}:{rest}", token[:-3] + "abc", token[:20], "x" * 5000, "%00%27"):
        page = client.get(f"/your-data/{bad}/")
        assert page.status_code == 404, bad
        assert "This link is not valid" in page.content.decode()
        assert "someone-else" not in page.content.decode()


def test_a_link_of_another_purpose_opens_nothing(data_link, client, reader_data):
    path = data_link()
    # A genuine signature, of the same payload, made for another salt (another feature).
    other_purpose = signing.dumps({"r": 1}, salt="newsletters.preferences", compress=False)

    assert client.get(f"/your-data/{other_purpose}/").status_code == 404
    assert client.get(path).status_code == 200


def test_the_pages_of_the_link_answer_only_their_methods(data_link, client):
    path = data_link()

    assert client.post(path).status_code == 405
    assert client.post(f"{path}download/").status_code == 405
    assert client.put(f"{path}erase/").status_code == 405


def test_a_link_after_its_data_was_erased_says_so(data_link):
    path = data_link()
    client = Client()
    assert client.post(f"{path}erase/").status_code == 200

    again = client.get(path)

    assert again.status_code == 410
    assert "This link no longer works" in again.content.decode()


def test_a_link_opens_only_the_data_of_the_address_it_was_sent_to(data_link, client):
    path = data_link()
    # Whatever happened to the row it names (an id reused after a restore, say), a token
    # carries the start of its address's keyed hash, which must still match.
    DataRequest.objects.filter(email=READER).update(email="someone-else@example.org")

    page = client.get(path)

    assert page.status_code == 410
    assert "someone-else" not in page.content.decode()
