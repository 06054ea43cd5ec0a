"""Readers reply to a published review: the review form, its defences and its moderation.

A reply is a review with a parent: one level only, shown under the review it answers and
paged with it. It meets the same rate limit, traps and rules, and waits in the same queue,
marked as a reply.
"""

import re
from datetime import time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review
from reviews.services import ReplyRefused, review_moderate, review_submit

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/reviews/follow-up/confirm/[^/\s]+/)")


def reply_url(review) -> str:
    return reverse("reviews:reply", args=(review.article.slug, review.pk))


def story_page(client, article, **params) -> str:
    response = client.get(article.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def review(make_review) -> Review:
    return make_review(name="Nino Beridze", email="nino.first@example.org", body="First words.")


def test_a_reply_waits_for_a_moderator_and_is_marked_as_a_reply(review, post_reply):
    response = post_reply(review, name="Giorgi", body="I disagree with the first review.")

    assert response.status_code == 302
    reply = Review.objects.get(parent=review)
    assert reply.status == Review.Status.PENDING
    assert reply.reasons == ["new reviewer"]
    assert reply.article == review.article
    assert reply.is_reply()


def test_the_reply_page_quotes_the_review_and_is_never_cached(client, review):
    response = client.get(reply_url(review))
    page = response.content.decode()

    assert response.status_code == 200
    assert "Reply to a review" in page
    assert "First words." in page
    assert "Your reply" in page
    assert 'name="notify_replies"' not in page  # replies take no replies
    assert "no-store" in response["Cache-Control"]


def test_after_replying_the_reader_is_thanked_on_the_reply_page(client, review, post_reply):
    response = post_reply(review)
    page = client.get(response["Location"]).content.decode()

    assert response["Location"] == reply_url(review)
    assert "Thank you — your reply will appear once a moderator approves it." in page


def test_approved_replies_show_under_their_review_oldest_first(client, review, make_review):
    later = make_review(parent=review, name="Second replier", body="Second reply.")
    earlier = make_review(parent=review, name="First replier", body="First reply.")
    Review.objects.filter(pk=earlier.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    make_review(parent=review, name="Waiting", body="Not yet.", status=Review.Status.PENDING)

    page = story_page(client, review.article)

    replies = page[page.index(f'id="review-{review.pk}"') :]
    assert replies.index("First reply.") < replies.index("Second reply.")
    assert f'id="review-{later.pk}"' in page
    assert "Not yet." not in page
    # Replies are not reviews of the story: the heading counts the one review.
    assert "1 review<" in page


def test_a_page_of_reviews_carries_all_their_replies(client, settings, make_review, review):
    settings.REVIEWS_PER_PAGE = 2
    for number in range(3):
        make_review(parent=review, body=f"Reply number {number}.")
    for number in range(2):
        make_review(body=f"Later review {number}.")

    first = story_page(client, review.article)
    second = story_page(client, review.article, reviews_page=2)

    assert all(f"Reply number {number}." in first for number in range(3))
    assert "Later review 1." in second
    assert "Reply number" not in second


def test_a_reply_links_to_the_page_of_its_review(settings, make_review, review):
    settings.REVIEWS_PER_PAGE = 1
    make_review(body="A later review, on page 2.")
    reply = make_review(parent=review, body="A reply on page 1.")

    assert reply.get_absolute_url() == f"{review.article.get_absolute_url()}#review-{reply.pk}"


def test_the_newsroom_reply_stays_marked_as_the_newsrooms(client, make_review, review):
    Review.objects.filter(pk=review.pk).update(reply="We checked the figures again.")
    make_review(parent=review, body="An answer from a reader.")

    page = story_page(client, review.article)

    assert "Reply from the newsroom" in page
    assert "We checked the figures again." in page
    assert "An answer from a reader." in page


def test_a_reply_to_a_reply_is_refused_and_points_to_the_review(client, make_review, review):
    reply = make_review(parent=review, body="A reply.")

    response = client.get(reply_url(reply))
    page = response.content.decode()

    assert response.status_code == 400
    assert "Replies answer a review, not another reply." in page
    assert reply_url(review) in page


def test_a_posted_reply_to_a_reply_is_not_stored(make_review, review, post_reply):
    reply = make_review(parent=review, body="A reply.")

    assert post_reply(reply).status_code == 400
    assert not Review.objects.filter(parent=reply).exists()


def test_the_service_refuses_a_reply_to_a_reply_too(make_review, review):
    reply = make_review(parent=review)

    with pytest.raises(ReplyRefused):
        review_submit(
            article=review.article,
            data={"name": "A", "email": "a@example.org", "body": "Nested"},
            parent=reply,
        )


@pytest.mark.parametrize("status", ["pending", "rejected", "spam", "withdrawn"])
def test_no_reply_to_a_review_that_is_not_published(client, make_review, status, post_reply):
    hidden = make_review(status=status, body="Not public.")

    assert client.get(reply_url(hidden)).status_code == 404
    response = post_reply(hidden, body="Trying anyway.")
    assert response.status_code == 403
    assert "Trying anyway." in response.content.decode()  # kept
    assert not Review.objects.filter(parent=hidden).exists()


@pytest.mark.parametrize("status", ["pending", "rejected", "spam", "withdrawn"])
def test_a_reply_to_a_review_that_is_not_published_never_shows_it(
    client, make_review, status, post_reply
):
    hidden = make_review(status=status, name="Secret Author", body="Words nobody may read.")

    response = post_reply(hidden, body="My own words, kept.")

    assert response.status_code == 403
    page = response.content.decode()
    assert "The review you answered is no longer published" in page
    assert "My own words, kept." in page
    assert "Words nobody may read." not in page
    assert "Secret Author" not in page
    assert "review-quoted" not in page


def test_no_reply_to_another_storys_review(client, make_article, review):
    other = make_article()

    url = reverse("reviews:reply", args=(other.slug, review.pk))

    assert client.get(url).status_code == 404


def test_no_reply_on_a_closed_story_and_what_was_typed_is_kept(review, post_reply):
    review.article.allow_reviews = False
    review.article.save()

    response = post_reply(review, body="Late words.")

    assert response.status_code == 403
    page = response.content.decode()
    assert "Reviews are closed." in page
    assert "Late words." in page
    assert not Review.objects.filter(parent=review).exists()


def test_no_reply_while_reviews_are_read_only(review, post_reply, rules):
    rules.reviews_read_only = True
    rules.save()

    response = post_reply(review)

    assert response.status_code == 403
    assert "New reviews are paused" in response.content.decode()


def test_no_reply_in_quiet_hours(review, post_reply, rules):
    now = timezone.localtime()
    rules.quiet_hours_start = time((now.hour - 1) % 24)
    rules.quiet_hours_end = time((now.hour + 2) % 24)
    rules.save()

    assert post_reply(review).status_code == 403
    assert not Review.objects.filter(parent=review).exists()


def test_the_story_page_offers_reply_links_only_while_reviews_are_open(client, review):
    page = story_page(client, review.article)
    assert f'href="{reply_url(review)}"' in page

    review.article.allow_reviews = False
    review.article.save()
    page = story_page(Client(), review.article)
    assert f'href="{reply_url(review)}"' not in page
    assert "Reply<" not in page


def test_replies_share_the_reviews_rate_limit(
    settings, published_article, review, post_review, post_reply
):
    settings.REVIEWS_RATE_LIMIT_COUNT = 2
    assert post_review(published_article, body="A review.").status_code == 302
    assert post_reply(review, body="A reply.").status_code == 302

    response = post_reply(review, body="One reply too many.")

    assert response.status_code == 429
    assert "Retry-After" in response
    assert "One reply too many." in response.content.decode()


def test_a_reply_with_links_is_held_with_the_rules_reason(review, post_reply, rules):
    rules.trusted_auto_approve = True
    rules.save()

    post_reply(review, body="See https://a.example and www.b.example")

    reply = Review.objects.get(parent=review)
    assert reply.status == Review.Status.PENDING
    assert reply.reasons[0] == "2 links"


def test_a_reply_with_a_hold_word_is_held(review, post_reply):
    post_reply(review, body="Try the casino instead.")

    assert "held word: casino" in Review.objects.get(parent=review).reasons


def test_a_reply_with_a_block_word_is_spam(review, post_reply):
    post_reply(review, body="Buy viagra here")

    reply = Review.objects.get(parent=review)
    assert reply.status == Review.Status.SPAM
    assert reply.reasons == ["blocked word: viagra"]


def test_a_reply_with_the_honeypot_filled_is_spam_and_hears_the_same(client, review, post_reply):
    response = post_reply(review, website="http://spam.example")

    reply = Review.objects.get(parent=review)
    assert reply.status == Review.Status.SPAM
    assert "honeypot field filled in" in reply.reasons
    page = client.get(response["Location"]).content.decode()
    assert "Thank you — your reply will appear once a moderator approves it." in page


def test_a_reply_sent_too_fast_is_spam(review, post_reply):
    import time as clock

    from reviews.forms import sign_timestamp

    post_reply(review, timestamp=sign_timestamp(review.article_id, at=clock.time()))

    assert Review.objects.get(parent=review).status == Review.Status.SPAM


def test_a_trusted_reader_reply_is_published_at_once(
    client, make_review, review, post_reply, rules
):
    rules.trusted_auto_approve = True
    rules.save()
    make_review(email="nino@example.org", body="Their earlier approved review.")

    post_reply(review, body="Approved at once.")

    assert Review.objects.get(parent=review).status == Review.Status.APPROVED
    assert "Approved at once." in story_page(client, review.article)


def test_the_queue_marks_replies_with_the_review_they_answer(
    client, moderator, make_review, review
):
    make_review(parent=review, body="A reply in the queue.", status=Review.Status.PENDING)
    client.force_login(moderator)

    page = client.get(reverse("admin:reviews_review_changelist")).content.decode()
    replies_only = client.get(reverse("admin:reviews_review_changelist"), {"kind": "replies"})

    assert f"Reply to #{review.pk} by Nino Beridze:" in page
    assert [row.body for row in replies_only.context["cl"].result_list] == ["A reply in the queue."]


def test_the_reply_change_page_shows_the_review_it_answers(client, moderator, make_review, review):
    reply = make_review(parent=review, body="A reply.", status=Review.Status.PENDING)
    client.force_login(moderator)

    page = client.get(reverse("admin:reviews_review_change", args=[reply.pk])).content.decode()

    assert reverse("admin:reviews_review_change", args=[review.pk]) in page
    assert "First words." in page
    # The newsroom answers reviews, not a reader's reply.
    assert 'name="reply"' not in page


def test_moderators_are_told_a_reply_waits(review, post_reply, after_commit, mailoutbox, moderator):
    with after_commit():
        post_reply(review, body="A reply for the queue.")

    (mail,) = mailoutbox
    assert "A new reply is waiting for a moderator." in mail.body
    assert f"to #{review.pk} by Nino Beridze" in mail.body


# -- "Email me when someone replies" ----------------------------------------------------------


def test_the_author_is_told_of_each_approved_reply_once_after_confirming(
    client, published_article, post_review, post_reply, after_commit, mailoutbox, moderator
):
    with after_commit():
        post_review(published_article, email="author@example.org", notify_replies="on")
    review = Review.objects.get()
    assert review.replies_follow_up == Review.RepliesFollowUp.UNCONFIRMED
    (confirmation,) = [mail for mail in mailoutbox if mail.to == ["author@example.org"]]
    assert "when someone replies to their review" in confirmation.body
    confirm_path = CONFIRM_LINK.search(confirmation.body).group(1)
    assert "Email me when someone replies to my review" in client.get(confirm_path).content.decode()
    client.post(confirm_path)
    review.refresh_from_db()
    assert review.replies_follow_up == Review.RepliesFollowUp.CONFIRMED
    with after_commit():
        review_moderate(
            reviews=Review.objects.filter(pk=review.pk), status="approved", by=moderator
        )

    with after_commit():
        post_reply(review, ip="198.51.100.9", name="Giorgi", email="giorgi@example.org")
    reply = Review.objects.get(parent=review)
    for _twice in range(2):
        with after_commit():
            review_moderate(
                reviews=Review.objects.filter(pk=reply.pk), status="approved", by=moderator
            )

    notices = [mail for mail in mailoutbox if mail.to == ["author@example.org"]][1:]
    assert len(notices) == 1
    assert "Giorgi replied to your review" in notices[0].body
    assert notices[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_no_notice_without_confirmation_nor_for_an_own_reply(
    published_article, make_review, after_commit, mailoutbox, moderator
):
    unconfirmed = make_review(email="a@example.org", replies_follow_up="unconfirmed")
    confirmed = make_review(email="b@example.org", replies_follow_up="confirmed")
    to_unconfirmed = make_review(parent=unconfirmed, email="x@example.org", status="pending")
    own = make_review(parent=confirmed, email="b@example.org", status="pending")

    with after_commit():
        review_moderate(
            reviews=Review.objects.filter(pk__in=[to_unconfirmed.pk, own.pk]),
            status="approved",
            by=moderator,
        )

    assert mailoutbox == []


def test_unsubscribing_stops_reply_notices(
    client, make_review, after_commit, mailoutbox, moderator
):
    from reviews import followup

    review = make_review(email="a@example.org", replies_follow_up="confirmed")
    client.post(reverse("reviews:follow-up-unsubscribe", args=[followup.unsubscribe_token(review)]))
    reply = make_review(parent=review, email="x@example.org", status="pending")

    with after_commit():
        review_moderate(reviews=Review.objects.filter(pk=reply.pk), status="approved", by=moderator)

    review.refresh_from_db()
    assert review.replies_follow_up == Review.RepliesFollowUp.CANCELLED
    assert mailoutbox == []


def test_a_reply_refused_by_the_csrf_check_comes_back_with_what_was_typed(review):
    from tests.helpers import review_data

    browser = Client(enforce_csrf_checks=True)

    response = browser.post(reply_url(review), review_data(review.article, body="Keep my reply."))

    assert response.status_code == 403
    page = response.content.decode()
    assert "Keep my reply." in page
    assert "security cookie" in page
    assert not Review.objects.filter(parent=review).exists()
