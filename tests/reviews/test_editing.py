"""The author changes or withdraws their review through the signed link, for a while only.

The link is shown on the (uncached) page after sending and in the confirmation email; it
works for ``REVIEWS_EDIT_MINUTES``, for its own review only, and until someone replies. An
edit is marked "edited" publicly; the text before is kept for moderators only; the edit meets
the rules again.
"""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from reviews import editing
from reviews.models import Review, ReviewRevision
from reviews.services import review_moderate
from tests.helpers import READER_IP

pytestmark = pytest.mark.django_db

EDIT_LINK = re.compile(r'href="(/reviews/\d+/edit/[^"]+/)"')


def sent(client, post_review, article, **fields) -> tuple[Review, str]:
    """Send a review as a reader; return it and the edit link the page after sending shows."""
    response = post_review(article, **fields)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    return Review.objects.latest("pk"), EDIT_LINK.search(page).group(1)


def approve(review, by) -> None:
    review_moderate(reviews=Review.objects.filter(pk=review.pk), status="approved", by=by)


def story_page(article) -> str:
    return Client().get(article.get_absolute_url()).content.decode()


def test_the_page_after_sending_shows_the_edit_link_once(client, published_article, post_review):
    response = post_review(published_article)
    page = client.get(response["Location"]).content.decode()
    review = Review.objects.get()

    assert "You can change or withdraw it for 15 minutes" in page
    link = EDIT_LINK.search(page).group(1)
    assert link.startswith(f"/reviews/{review.pk}/edit/")
    assert editing.review_from_token(review.pk, link.split("/")[-2]) == review
    # Shown once, to this reader: the next visit of the form is the plain form.
    form = client.get(reverse("reviews:form", args=[published_article.slug])).content.decode()
    assert "/edit/" not in form


def test_the_edit_page_is_secret_and_never_cached(client, published_article, post_review):
    _review, link = sent(client, post_review, published_article)

    response = client.get(link)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "strict-origin"
    assert "noindex" in response["X-Robots-Tag"]


def test_an_edit_of_a_published_review_goes_back_to_the_moderators(
    client, published_article, post_review, moderator, after_commit, mailoutbox
):
    review, link = sent(client, post_review, published_article, body="First text of mine.")
    approve(review, moderator)
    assert "First text of mine." in story_page(published_article)  # now cached
    # Told before saving, in plain words.
    assert "A published review goes back to the moderators when you change it" in (
        client.get(link).content.decode()
    )

    with after_commit():
        response = client.post(link, {"action": "save", "body": "Second, better text."})

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING
    assert review.reasons == ["edited after approval", "new reviewer"]
    assert review.moderated_by is None
    assert review.edited_at is not None
    # Off the shared story page at once: neither text is public while it waits.
    page = story_page(published_article)
    assert "Second, better text." not in page
    assert "First text of mine." not in page
    # The moderators hear of it as of a new review.
    assert [mail.to for mail in mailoutbox] == [["mona@newsroom.example"]]
    assert "Your review will be shown again once a moderator approves it." in (
        client.get(link).content.decode()
    )
    # The first text is for moderators only.
    assert ReviewRevision.objects.get(review=review).body == "First text of mine."
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVIEW_EDITED).count() == 1

    with after_commit():
        approve(review, moderator)

    page = story_page(published_article)
    assert "Second, better text." in page
    assert 'class="review-edited">edited<' in page
    assert "First text of mine." not in page


def test_an_edit_of_a_trusted_reviewers_published_review_stays_published(
    client, published_article, make_article, post_review, moderator, make_review, rules
):
    rules.trusted_auto_approve = True
    rules.save()
    make_review(article=make_article(), email="reader@example.org", body="An earlier one.")
    review, link = sent(
        client, post_review, published_article, email="reader@example.org", body="First text."
    )
    assert review.status == Review.Status.APPROVED  # the rules approved it when sent
    assert "A published review goes back" not in client.get(link).content.decode()

    client.post(link, {"action": "save", "body": "Second, better text."})

    review.refresh_from_db()
    assert review.status == Review.Status.APPROVED
    assert review.reasons == ["edited by its author", "trusted reviewer: 1 approved"]
    page = story_page(published_article)
    assert "Second, better text." in page
    assert 'class="review-edited">edited<' in page
    assert "Your changes are saved." in client.get(link).content.decode()


def test_a_published_review_does_not_vouch_for_its_own_edit(
    client, published_article, post_review, moderator, rules
):
    rules.trusted_auto_approve = True
    rules.save()
    review, link = sent(client, post_review, published_article, body="First text.")
    approve(review, moderator)  # the reviewer's only approved review: this one

    client.post(link, {"action": "save", "body": "Second text."})

    review.refresh_from_db()
    assert review.status == Review.Status.PENDING
    assert review.reasons == ["edited after approval", "new reviewer"]


def test_an_edit_that_adds_links_is_held_again(client, published_article, post_review, moderator):
    review, link = sent(client, post_review, published_article)
    approve(review, moderator)

    client.post(link, {"action": "save", "body": "Now see https://a.example and www.b.example"})

    review.refresh_from_db()
    assert review.status == Review.Status.PENDING
    assert review.reasons == ["edited by its author", "2 links"]
    assert "a.example" not in story_page(published_article)
    assert "will be shown again once a moderator approves it" in client.get(link).content.decode()


def test_an_edit_with_a_block_word_is_spam(client, published_article, post_review, moderator):
    review, link = sent(client, post_review, published_article)
    approve(review, moderator)

    client.post(link, {"action": "save", "body": "Cheap viagra"})

    review.refresh_from_db()
    assert review.status == Review.Status.SPAM


def test_an_edit_of_a_pending_review_keeps_it_pending(client, published_article, post_review):
    review, link = sent(client, post_review, published_article)

    client.post(link, {"action": "save", "body": "A corrected pending text."})

    review.refresh_from_db()
    assert review.status == Review.Status.PENDING
    assert review.body == "A corrected pending text."
    assert "edited by its author" in review.reasons


def test_bad_text_is_refused_clearly_and_kept(client, published_article, post_review):
    _review, link = sent(client, post_review, published_article)

    response = client.post(link, {"action": "save", "body": "x" * 3001})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Please correct the text below" in page
    assert "x" * 3001 in page


def test_edits_share_the_reviews_rate_limit(client, settings, published_article, post_review):
    settings.REVIEWS_RATE_LIMIT_COUNT = 2
    _review, link = sent(client, post_review, published_article)
    edit = {"action": "save", "body": "Change one."}
    assert client.post(link, edit, REMOTE_ADDR=READER_IP).status_code == 302

    edit["body"] = "Change two."
    response = client.post(link, edit, REMOTE_ADDR=READER_IP)

    assert response.status_code == 429
    assert "Change two." in response.content.decode()


def test_the_link_is_refused_after_the_window(client, published_article, post_review, settings):
    review, link = sent(client, post_review, published_article)
    Review.objects.filter(pk=review.pk).update(
        created_at=timezone.now() - timedelta(minutes=settings.REVIEWS_EDIT_MINUTES, seconds=1)
    )

    response = client.post(link, {"action": "save", "body": "Too late."})

    assert response.status_code == 410
    assert "The time to change it is over" in response.content.decode()
    assert Review.objects.get(pk=review.pk).body != "Too late."


def test_a_token_older_than_the_window_is_refused(client, make_review, monkeypatch, settings):
    review = make_review()
    then = timezone.now().timestamp() - settings.REVIEWS_EDIT_MINUTES * 60 - 5
    monkeypatch.setattr(signing.time, "time", lambda: then)
    token = editing.edit_token(review)
    monkeypatch.undo()

    response = client.get(reverse("reviews:edit", args=[review.pk, token]))

    assert response.status_code == 410


def test_the_link_is_refused_for_another_review(
    client, published_article, post_review, make_review
):
    mine, link = sent(client, post_review, published_article)
    someone_elses = make_review(body="Not yours to change.")
    token = link.split("/")[-2]
    elsewhere = reverse("reviews:edit", args=[someone_elses.pk, token])

    assert client.get(elsewhere).status_code == 404
    response = client.post(elsewhere, {"action": "withdraw"})
    assert response.status_code == 404
    assert Review.objects.get(pk=someone_elses.pk).status == Review.Status.APPROVED
    assert mine.pk != someone_elses.pk


def test_a_forged_token_is_refused(client, make_review):
    review = make_review()

    response = client.get(reverse("reviews:edit", args=[review.pk, "forged-token"]))

    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_no_edit_once_an_approved_reply_exists(
    client, published_article, post_review, make_review, moderator
):
    review, link = sent(client, post_review, published_article)
    approve(review, moderator)
    make_review(parent=review, status=Review.Status.PENDING)
    assert client.get(link).status_code == 200  # a reply waiting does not count yet

    make_review(parent=review, body="An answer.")
    response = client.post(link, {"action": "save", "body": "Changed under a reply."})

    assert response.status_code == 409
    assert "Someone has replied to it" in response.content.decode()
    assert client.post(link, {"action": "withdraw"}).status_code == 409
    assert Review.objects.get(pk=review.pk).status == Review.Status.APPROVED


def test_no_edit_once_the_newsroom_replied(client, published_article, post_review):
    review, link = sent(client, post_review, published_article)
    Review.objects.filter(pk=review.pk).update(reply="Thank you, we corrected it.")

    assert client.get(link).status_code == 409


def test_withdrawing_takes_it_off_the_site_and_moderators_still_see_it(
    client, published_article, post_review, moderator
):
    review, link = sent(client, post_review, published_article, body="Words to take back.")
    approve(review, moderator)

    response = client.post(link, {"action": "withdraw"})

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.WITHDRAWN
    assert "Words to take back." not in story_page(published_article)
    assert "Your review is withdrawn" in client.get(link).content.decode()
    assert client.get(link).status_code == 410  # and the link is done
    client.force_login(moderator)
    queue = client.get(reverse("admin:reviews_review_changelist"), {"status__exact": "withdrawn"})
    assert [row.pk for row in queue.context["cl"].result_list] == [review.pk]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVIEW_WITHDRAWN).exists()


def test_withdrawing_cancels_mail_still_to_be_sent(client, published_article, post_review):
    review, link = sent(client, post_review, published_article, notify="on", notify_replies="on")

    client.post(link, {"action": "withdraw"})

    review.refresh_from_db()
    assert review.follow_up == Review.FollowUp.CANCELLED
    assert review.replies_follow_up == Review.RepliesFollowUp.CANCELLED


def test_changes_wait_while_reviews_are_paused_but_withdrawing_does_not(
    client, published_article, post_review, rules
):
    review, link = sent(client, post_review, published_article)
    rules.reviews_read_only = True
    rules.save()

    response = client.post(link, {"action": "save", "body": "Changed while paused."})

    assert response.status_code == 403
    assert "Changed while paused." in response.content.decode()
    assert client.post(link, {"action": "withdraw"}).status_code == 302
    assert Review.objects.get(pk=review.pk).status == Review.Status.WITHDRAWN


def test_a_moderator_cannot_be_given_withdrawn(client, moderator, make_review):
    review = make_review()
    client.force_login(moderator)

    response = client.post(reverse("admin:reviews_review_moderate", args=[review.pk, "withdrawn"]))

    assert response.status_code == 403


def test_the_confirmation_email_carries_the_edit_link(
    client, published_article, post_review, after_commit, mailoutbox
):
    with after_commit():
        post_review(published_article, notify="on")
    review = Review.objects.get()

    (mail,) = [mail for mail in mailoutbox if mail.to == [review.email]]
    path = re.search(r"https?://[^/\s]+(/reviews/\d+/edit/\S+/)", mail.body).group(1)
    assert "To change or withdraw the review until" in mail.body
    assert client.get(path).status_code == 200


def test_a_reply_has_an_edit_link_too(client, make_review, post_reply):
    review = make_review()
    response = post_reply(review, body="My first reply.")
    page = client.get(response["Location"]).content.decode()
    link = EDIT_LINK.search(page).group(1)

    client.post(link, {"action": "save", "body": "My better reply."})

    reply = Review.objects.get(parent=review)
    assert reply.body == "My better reply."
    assert reply.edited_at is not None


def test_nobody_publishes_a_withdrawn_review_again(client, moderator, make_review):
    review = make_review(status=Review.Status.WITHDRAWN)
    client.force_login(moderator)

    client.post(reverse("admin:reviews_review_moderate", args=[review.pk, "approved"]))
    client.post(
        reverse("admin:reviews_review_changelist"),
        {"action": "approve", "_selected_action": [review.pk]},
    )

    assert Review.objects.get(pk=review.pk).status == Review.Status.WITHDRAWN
    page = client.get(reverse("admin:reviews_review_change", args=[review.pk])).content.decode()
    assert 'name="status"' not in page


def test_an_edit_does_not_bring_a_rejected_review_back_to_the_queue(
    client, published_article, post_review, moderator
):
    review, link = sent(client, post_review, published_article)
    review_moderate(reviews=Review.objects.filter(pk=review.pk), status="rejected", by=moderator)

    client.post(link, {"action": "save", "body": "Now with https://a.example and www.b.example"})

    assert Review.objects.get(pk=review.pk).status == Review.Status.REJECTED
