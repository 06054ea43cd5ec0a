"""The editors' rules: what status a new review starts with, and the reasons the queue shows."""

import pytest

from reviews.models import Review
from reviews.moderation import Moderator, Signals, count_links
from reviews.services import review_moderate
from reviews.signals import reviews_changed

pytestmark = pytest.mark.django_db


def submitted(post_review, article, **fields) -> Review:
    response = post_review(article, **fields)
    assert response.status_code == 302, response.content.decode()[:500]
    return Review.objects.latest("pk")


def test_new_review_is_pending_by_default(published_article, post_review):
    review = submitted(post_review, published_article)

    assert review.status == Review.Status.PENDING
    assert review.reasons == ["new reviewer"]
    assert review.moderated_at is None


def test_two_links_hold_the_review(published_article, post_review, rules):
    rules.trusted_auto_approve = True
    rules.save()
    review = submitted(
        post_review, published_article, body="See https://a.example and www.b.example now"
    )

    assert review.status == Review.Status.PENDING
    assert review.reasons[0] == "2 links"


def test_one_link_alone_does_not_hold(published_article, post_review):
    review = submitted(post_review, published_article, body="Source: https://a.example/report")

    assert review.reasons == ["new reviewer"]


def test_link_threshold_is_editable(published_article, post_review, rules):
    rules.link_threshold = 1
    rules.save()
    review = submitted(post_review, published_article, body="Source: https://a.example/report")

    assert review.reasons[0] == "1 link"


def test_hold_word_holds_the_review_and_names_the_word(published_article, post_review):
    review = submitted(post_review, published_article, body="The new CASINO in Batumi is huge.")

    assert review.status == Review.Status.PENDING
    assert "held word: casino" in review.reasons


def test_hold_word_matches_whole_words_only(published_article, post_review):
    review = submitted(post_review, published_article, body="Casinos aside, loaned money.")

    assert review.reasons == ["new reviewer"]


def test_block_word_sends_the_review_to_spam(published_article, post_review):
    review = submitted(post_review, published_article, body="Cheap viagra here")

    assert review.status == Review.Status.SPAM
    assert review.reasons == ["blocked word: viagra"]
    assert review.moderated_by is None
    assert review.moderated_at is not None


def test_block_word_in_the_name_counts_too(published_article, post_review):
    review = submitted(post_review, published_article, name="Buy Followers Today")

    assert review.status == Review.Status.SPAM
    assert review.reasons == ["blocked word: buy followers"]


def test_block_words_are_editable_in_the_rules(published_article, post_review, rules):
    rules.block_words = "kompromat\n  \n"
    rules.save()
    review = submitted(post_review, published_article, body="Pure kompromat, nothing else")

    assert review.status == Review.Status.SPAM
    assert review.reasons == ["blocked word: kompromat"]


def test_spam_wins_over_hold(published_article, post_review):
    review = submitted(
        post_review, published_article, body="viagra casino https://a.example https://b.example"
    )

    assert review.status == Review.Status.SPAM


def test_trusted_reviewer_is_approved_when_the_rule_is_on(
    published_article, post_review, rules, make_review
):
    rules.trusted_auto_approve = True
    rules.save()
    first = submitted(post_review, published_article, email="Nino@Example.ORG", body="First.")
    assert first.status == Review.Status.PENDING
    review_moderate(reviews=Review.objects.filter(pk=first.pk), status="approved", by=None)

    review = submitted(post_review, published_article, email="nino@example.org")

    assert review.status == Review.Status.APPROVED
    assert review.reasons == ["trusted reviewer: 1 approved"]
    assert review.moderated_by is None


def test_known_reviewer_still_waits_when_the_rule_is_off(
    published_article, post_review, make_review
):
    make_review(email="nino@example.org")

    review = submitted(post_review, published_article)

    assert review.status == Review.Status.PENDING
    assert review.reasons == ["known reviewer: 1 approved"]


def test_reviewer_with_only_rejected_reviews_is_not_trusted(
    published_article, post_review, rules, make_review
):
    rules.trusted_auto_approve = True
    rules.save()
    make_review(email="nino@example.org", status=Review.Status.REJECTED)

    assert submitted(post_review, published_article).status == Review.Status.PENDING


def test_trusted_reviewer_with_a_hold_word_still_waits(
    published_article, post_review, rules, make_review
):
    rules.trusted_auto_approve = True
    rules.save()
    make_review(email="nino@example.org")

    review = submitted(post_review, published_article, body="Try the crypto angle")

    assert review.status == Review.Status.PENDING
    assert review.reasons == ["held word: crypto", "known reviewer: 1 approved"]


def test_moderator_class_answers_without_a_request(published_article, rules):
    moderator = Moderator(rules)
    review = Review(article=published_article, name="A", email="a@example.org", body="casino")

    assert moderator.allow(published_article)
    assert moderator.needs_review(review)
    decision = moderator.decide(review, signals=Signals(honeypot_filled=True))
    assert decision.status == Review.Status.SPAM


def test_links_are_counted_by_scheme_or_www():
    assert count_links("http://a.example https://b.example www.c.example d.example") == 3


def test_review_moderate_updates_and_announces_the_stories(
    published_article, make_review, django_user_model, django_capture_on_commit_callbacks
):
    moderator = django_user_model.objects.create_user("mod")
    reviews = [make_review(status=Review.Status.PENDING) for _number in range(3)]
    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    reviews_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            count = review_moderate(
                reviews=Review.objects.filter(pk__in=[r.pk for r in reviews]),
                status=Review.Status.APPROVED,
                by=moderator,
            )
    finally:
        reviews_changed.disconnect(receiver)

    assert count == 3
    assert received[0]["article_ids"] == {published_article.pk}
    assert received[0]["status"] == Review.Status.APPROVED
    assert received[0]["by"] == moderator
    assert Review.objects.filter(moderated_at=received[0]["moderated_at"]).count() == 3


def test_review_moderate_refuses_an_unknown_status(make_review):
    with pytest.raises(ValueError):
        review_moderate(reviews=Review.objects.all(), status="deleted", by=None)
