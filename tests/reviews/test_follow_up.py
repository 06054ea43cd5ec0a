"""Tell readers what happened: "email me when my review is published", confirmed first."""

import re
import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from reviews import followup
from reviews.models import Review, ReviewEmailOptOut
from reviews.services import review_moderate

READER = "nino@example.org"
CONFIRM_LINK = re.compile(r"http://127\.0\.0\.1:8000(/reviews/follow-up/confirm/[^/\s]+/)")
UNSUBSCRIBE_LINK = re.compile(r"http://127\.0\.0\.1:8000(/reviews/follow-up/unsubscribe/[^/\s]+/)")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"


def to_reader(mailoutbox) -> list:
    return [mail for mail in mailoutbox if mail.to == [READER]]


@pytest.fixture
def send(post_review, published_article, after_commit):
    def send_(**fields) -> Review:
        with after_commit():
            response = post_review(published_article, **fields)
        assert response.status_code == 302
        return Review.objects.latest("pk")

    return send_


def approve(review: Review, by, after_commit) -> None:
    with after_commit():
        review_moderate(
            reviews=Review.objects.filter(pk=review.pk), status=Review.Status.APPROVED, by=by
        )


def confirm_path(mail) -> str:
    return CONFIRM_LINK.search(mail.body).group(1)


def test_the_form_offers_the_checkbox(client, published_article):
    page = client.get(reverse("reviews:form", args=[published_article.slug])).content.decode()
    assert 'type="checkbox" name="notify"' in page
    assert "Email me when my review is published" in page


def test_ticking_the_box_sends_only_a_confirmation_link(send, mailoutbox):
    review = send(notify="on")

    mails = to_reader(mailoutbox)
    assert len(mails) == 1
    assert "Please confirm" in mails[0].subject
    assert CONFIRM_LINK.search(mails[0].body)
    assert mails[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert UNSUBSCRIBE_LINK.search(mails[0].extra_headers["List-Unsubscribe"])
    # The address is not in any link: tokens name the review.
    assert "nino" not in confirm_path(mails[0])
    review.refresh_from_db()
    assert review.follow_up == Review.FollowUp.UNCONFIRMED


def test_without_the_box_nothing_is_sent_to_the_reader(send, moderator, mailoutbox, after_commit):
    review = send()
    approve(review, moderator, after_commit)
    assert to_reader(mailoutbox) == []


def test_no_email_about_publication_before_the_address_is_confirmed(
    send, moderator, mailoutbox, after_commit
):
    review = send(notify="on")
    approve(review, moderator, after_commit)

    assert [mail.subject for mail in to_reader(mailoutbox)] == [
        "Please confirm: email me when my review is published"
    ]


def test_confirmation_then_approval_sends_one_email_with_unsubscribe(
    send, client, moderator, mailoutbox, after_commit, published_article
):
    review = send(notify="on")
    path = confirm_path(to_reader(mailoutbox)[0])

    page = client.get(path)
    assert page.status_code == 200
    assert "Yes, email me" in page.content.decode()
    review.refresh_from_db()
    assert review.follow_up == Review.FollowUp.UNCONFIRMED  # opening the link changes nothing

    with after_commit():
        confirmed = client.post(path)
    assert "your address is confirmed" in confirmed.content.decode()
    assert len(to_reader(mailoutbox)) == 1

    approve(review, moderator, after_commit)
    approve(review, moderator, after_commit)

    mails = to_reader(mailoutbox)
    assert len(mails) == 2
    notice = mails[1]
    assert notice.subject == f"Your review of “{published_article.title}” is published"
    assert f"/articles/{published_article.slug}/#review-{review.pk}" in notice.body
    assert UNSUBSCRIBE_LINK.search(notice.body)
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    review.refresh_from_db()
    assert review.follow_up == Review.FollowUp.SENT


def test_confirming_after_approval_sends_the_notice_at_once(
    send, client, moderator, mailoutbox, after_commit
):
    review = send(notify="on")
    approve(review, moderator, after_commit)

    with after_commit():
        client.post(confirm_path(to_reader(mailoutbox)[0]))

    assert "is published" in to_reader(mailoutbox)[-1].subject


def test_one_click_unsubscribe_stops_the_notice(send, moderator, mailoutbox, after_commit):
    review = send(notify="on")
    mail = to_reader(mailoutbox)[0]
    with after_commit():
        Client().post(confirm_path(mail))
    unsubscribe = UNSUBSCRIBE_LINK.search(mail.extra_headers["List-Unsubscribe"]).group(1)

    # RFC 8058: the mail client posts this body, with no cookie and no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()

    approve(review, moderator, after_commit)
    assert len(to_reader(mailoutbox)) == 1
    review.refresh_from_db()
    assert review.follow_up == Review.FollowUp.CANCELLED
    assert ReviewEmailOptOut.covers(READER)


def test_the_unsubscribe_page_asks_before_unsubscribing(send, client, mailoutbox):
    send(notify="on")
    unsubscribe = UNSUBSCRIBE_LINK.search(to_reader(mailoutbox)[0].body).group(1)

    page = client.get(unsubscribe)

    assert page.status_code == 200
    assert '<button type="submit" class="button">Unsubscribe</button>' in page.content.decode()
    assert not ReviewEmailOptOut.objects.exists()


def test_an_unsubscribed_address_gets_no_further_confirmations(send, mailoutbox):
    ReviewEmailOptOut.objects.create(email_hash=ReviewEmailOptOut.hash_email(READER))
    review = send(notify="on")
    assert to_reader(mailoutbox) == []
    review.refresh_from_db()
    assert review.follow_up == Review.FollowUp.NONE


def test_at_most_one_confirmation_an_hour_and_it_confirms_every_waiting_review(
    send, client, mailoutbox, after_commit
):
    first = send(notify="on")
    second = send(notify="on", body="A second, different opinion about the same story.")

    assert len(to_reader(mailoutbox)) == 1
    with after_commit():
        client.post(confirm_path(to_reader(mailoutbox)[0]))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.follow_up == second.follow_up == Review.FollowUp.CONFIRMED


def test_spam_with_the_box_ticked_sends_nothing(send, mailoutbox, rules):
    rules.block_words = "casino royale"
    rules.save()
    review = send(notify="on", body="Visit casino royale now")
    assert review.status == Review.Status.SPAM
    assert to_reader(mailoutbox) == []


def test_an_expired_confirmation_link_answers_410(send, client, monkeypatch, settings):
    review = send(notify="on")
    eight_days_ago = time.time() - 8 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: eight_days_ago)
    token = followup.confirm_token(review)
    monkeypatch.undo()

    response = client.post(reverse("reviews:follow-up-confirm", args=[token]))

    assert response.status_code == 410
    assert "This confirmation link has expired" in response.content.decode()
    review.refresh_from_db()
    assert review.follow_up == Review.FollowUp.UNCONFIRMED


@pytest.mark.parametrize("which", ["follow-up-confirm", "follow-up-unsubscribe"])
def test_a_tampered_link_answers_404(send, client, which):
    review = send(notify="on")
    token = followup.confirm_token(review) + "x"
    assert client.get(reverse(f"reviews:{which}", args=[token])).status_code == 404
    assert client.post(reverse(f"reviews:{which}", args=[token])).status_code == 404


def test_a_confirm_token_does_not_unsubscribe_and_vice_versa(send, client):
    review = send(notify="on")
    confirm = followup.confirm_token(review)
    unsubscribe = followup.unsubscribe_token(review)
    assert client.post(reverse("reviews:follow-up-unsubscribe", args=[confirm])).status_code == 404
    assert client.post(reverse("reviews:follow-up-confirm", args=[unsubscribe])).status_code == 404
