"""The moderators' tools on a review's page: remove a passage, block the reviewer, see their
history. Only holders of the moderation permission may use them; all are audited."""

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from reviews.models import Review, ReviewerBlock, ReviewReport, ReviewRevision
from reviews.services import client_fingerprint
from tests.helpers import READER_IP

pytestmark = pytest.mark.django_db

PASSAGE = "She lives at 12 Rustaveli Avenue."


def change_url(review) -> str:
    return reverse("admin:reviews_review_change", args=[review.pk])


def redact_url(review) -> str:
    return reverse("admin:reviews_review_redact", args=[review.pk])


def block_url(review) -> str:
    return reverse("admin:reviews_review_block", args=[review.pk])


@pytest.fixture
def review(make_review) -> Review:
    return make_review(
        name="Gossip",
        email="gossip@example.org",
        body=f"The minister's neighbour saw it all. {PASSAGE} Ask her.",
        fingerprint=client_fingerprint(READER_IP),
    )


@pytest.fixture
def moderator_client(client, moderator) -> Client:
    client.force_login(moderator)
    return client


# -- Removing a passage ---------------------------------------------------------------------


def test_a_moderator_removes_a_passage_and_readers_see_the_marker(moderator_client, review):
    story = review.article.get_absolute_url()
    Client().get(story)  # cached before the change

    response = moderator_client.post(redact_url(review), {"passage": PASSAGE})

    assert response.status_code == 302
    assert response["Location"] == change_url(review)
    page = Client().get(story).content.decode()
    assert PASSAGE not in page
    assert "The minister&#x27;s neighbour saw it all. [removed by moderator] Ask her." in page
    revision = ReviewRevision.objects.get(review=review)
    assert revision.kind == ReviewRevision.Kind.REDACTED
    assert PASSAGE in revision.body


def test_the_original_text_is_shown_to_moderators_only(moderator_client, review):
    moderator_client.post(redact_url(review), {"passage": PASSAGE})

    page = moderator_client.get(change_url(review)).content.decode()

    assert "Earlier texts (moderators only)" in page
    assert PASSAGE in page
    assert PASSAGE not in Client().get(review.article.get_absolute_url()).content.decode()


def test_a_redaction_is_audited_without_the_passage(moderator_client, moderator, review):
    moderator_client.post(redact_url(review), {"passage": PASSAGE})

    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVIEW_REDACTED)
    assert entry.actor == moderator
    assert entry.story_id == review.article_id
    assert entry.details == {"review": review.pk, "passages": 1, "characters": len(PASSAGE)}
    assert "Rustaveli" not in str(entry.details) + entry.object_repr


def test_a_passage_not_in_the_review_is_refused_and_kept(moderator_client, review):
    response = moderator_client.post(redact_url(review), {"passage": "12 Rustaveli Street"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "This passage is not in the review as written." in page
    assert "12 Rustaveli Street</textarea>" in page
    assert not ReviewRevision.objects.exists()


def test_an_empty_passage_is_refused(moderator_client, review):
    response = moderator_client.post(redact_url(review), {"passage": "   "})

    assert response.status_code == 400
    assert Review.objects.get(pk=review.pk).body == review.body


def test_a_passage_over_lines_pasted_from_a_browser_is_found(moderator_client, make_review):
    review = make_review(body="First line.\nSecret second line.\nThird line.")

    moderator_client.post(redact_url(review), {"passage": "Secret second line.\r\nThird"})

    assert Review.objects.get(pk=review.pk).body == "First line.\n[removed by moderator] line."


def test_a_redacted_review_can_no_longer_be_edited_by_its_author(moderator_client, review):
    from reviews import editing

    moderator_client.post(redact_url(review), {"passage": PASSAGE})

    response = Client().get(editing.edit_path(review))

    assert response.status_code == 410
    assert "A moderator has changed it" in response.content.decode()


# -- Blocking a reviewer ------------------------------------------------------------------------


def test_a_blocked_reviewers_next_review_is_spam_with_the_blocks_note(
    moderator_client, review, published_article, post_review
):
    response = moderator_client.post(
        block_url(review),
        {"note": "Doxxing neighbours", "days": "30", "by_email": "on", "by_client": "on"},
    )
    assert response.status_code == 302
    block = ReviewerBlock.objects.get()
    assert block.email == "gossip@example.org"
    assert block.fingerprint == client_fingerprint(READER_IP)
    assert timezone.now() + timedelta(days=29) < block.expires_at

    post_review(published_article, email="gossip@example.org", ip="192.0.2.50")

    new = Review.objects.latest("pk")
    assert new.status == Review.Status.SPAM
    assert new.reasons == ["blocked reviewer: Doxxing neighbours"]


def test_a_block_by_client_catches_another_address(
    moderator_client, review, published_article, post_review
):
    moderator_client.post(
        block_url(review), {"note": "Sock puppets", "days": "7", "by_client": "on"}
    )

    post_review(published_article, email="someone.new@example.org")

    assert Review.objects.latest("pk").reasons == ["blocked reviewer: Sock puppets"]


def test_a_blocked_reviewers_reply_is_spam_too(moderator_client, review, make_review, post_reply):
    moderator_client.post(block_url(review), {"note": "Trolling", "days": "1", "by_client": "on"})
    other = make_review(name="Someone else", fingerprint="other")

    post_reply(other, body="A reply from the blocked client.")

    assert Review.objects.get(parent=other).status == Review.Status.SPAM


def test_an_expired_block_no_longer_applies(review, published_article, post_review, moderator):
    ReviewerBlock.objects.create(
        email="gossip@example.org", note="Old", expires_at=timezone.now() - timedelta(seconds=1)
    )

    post_review(published_article, email="gossip@example.org")

    assert Review.objects.latest("pk").status == Review.Status.PENDING


def test_a_block_needs_an_address_or_a_client_and_keeps_the_note(moderator_client, review):
    response = moderator_client.post(block_url(review), {"note": "Keep this note", "days": "7"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Tick the email address, the client, or both" in page
    assert 'value="Keep this note"' in page
    assert not ReviewerBlock.objects.exists()


NOTE_HELP = (
    "Internal, for moderators: shown beside each blocked review. The reader is not given it: "
    '"Your data" tells them only that their address is blocked, and until when.'
)


def test_the_blocks_note_says_it_is_internal_and_what_the_reader_is_told(moderator_client, review):
    assert str(ReviewerBlock._meta.get_field("note").help_text) == NOTE_HELP

    page = moderator_client.get(block_url(review)).content.decode()

    assert NOTE_HELP in html.unescape(page)


def test_a_block_with_a_made_up_duration_is_refused(moderator_client, review):
    response = moderator_client.post(
        block_url(review), {"note": "x", "days": "99999", "by_email": "on"}
    )

    assert response.status_code == 400
    assert not ReviewerBlock.objects.exists()


def test_blocks_are_audited_without_the_address(moderator_client, moderator, review):
    moderator_client.post(block_url(review), {"note": "Spam", "days": "7", "by_email": "on"})

    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVIEWER_BLOCKED)
    assert entry.actor == moderator
    assert "gossip@example.org" not in entry.object_repr + str(entry.details)
    assert entry.details["review"] == review.pk


def test_a_moderator_lifts_a_block_in_the_blocks_list(
    moderator_client, review, published_article, post_review
):
    moderator_client.post(block_url(review), {"note": "Cool off", "days": "7", "by_email": "on"})
    block = ReviewerBlock.objects.get()

    moderator_client.post(
        reverse("admin:reviews_reviewerblock_changelist"),
        {"action": "lift", "_selected_action": [block.pk]},
    )

    block.refresh_from_db()
    assert not block.is_active()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVIEWER_UNBLOCKED).exists()
    post_review(published_article, email="gossip@example.org")
    assert Review.objects.latest("pk").status == Review.Status.PENDING


# -- The reviewer's history ------------------------------------------------------------------


def test_the_review_page_shows_the_reviewers_history(moderator_client, make_review, review):
    make_review(email="gossip@example.org", status=Review.Status.REJECTED, body="Rejected one.")
    for _number in range(2):
        make_review(email="gossip@example.org", status=Review.Status.SPAM)
    ReviewReport.objects.create(review=review, fingerprint="a" * 64, reason="personal_data")
    make_review(email="someone@example.org", fingerprint=review.fingerprint)

    response = moderator_client.get(change_url(review))
    page = response.content.decode()

    assert 'class="history-approved">1<' in page
    assert 'class="history-rejected">1<' in page
    assert 'class="history-spam">2<' in page
    assert 'class="history-reports">1<' in page
    assert 'class="history-same-client">2<' in page
    assert "Rejected one." in page


def test_the_history_costs_the_same_queries_for_a_prolific_reviewer(
    moderator_client, make_review, review
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        moderator_client.get(change_url(review))
    Review.objects.bulk_create(
        Review(
            article=review.article,
            name="Gossip",
            email="gossip@example.org",
            body=f"Review {number}",
            status=Review.Status.SPAM if number % 2 else Review.Status.APPROVED,
            fingerprint=review.fingerprint,
        )
        for number in range(200)
    )
    with CaptureQueriesContext(connection) as many:
        response = moderator_client.get(change_url(review))

    assert 'class="history-spam">100<' in response.content.decode()
    assert len(many) == len(few)


def test_the_history_shows_an_active_block(moderator_client, review):
    moderator_client.post(block_url(review), {"note": "Cool off", "days": "7", "by_email": "on"})

    page = moderator_client.get(change_url(review)).content.decode()

    assert "Blocked" in page and "Cool off" in page


# -- Who may use them --------------------------------------------------------------------------


@pytest.fixture
def reviews_viewer(django_user_model):
    """Staff who may read reviews but not moderate them."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(
        "vera", "vera@newsroom.example", "x", is_staff=True
    )
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="reviews", codename="view_review")
    )
    return user


@pytest.mark.parametrize("url", [redact_url, block_url])
def test_staff_without_the_moderation_permission_get_403(client, reviews_viewer, review, url):
    client.force_login(reviews_viewer)

    assert client.get(url(review)).status_code == 403
    assert (
        client.post(
            url(review), {"passage": PASSAGE, "note": "x", "days": "7", "by_email": "on"}
        ).status_code
        == 403
    )
    assert Review.objects.get(pk=review.pk).body == review.body
    assert not ReviewerBlock.objects.exists()


def test_staff_without_the_permission_see_no_history_reports_or_earlier_texts(
    client, reviews_viewer, review
):
    ReviewReport.objects.create(review=review, fingerprint="a" * 64, reason="other", text="Secret")
    client.force_login(reviews_viewer)

    page = client.get(change_url(review)).content.decode()

    assert "reviewer-history" not in page
    assert "Secret" not in page
    assert redact_url(review) not in page


def test_the_blocks_list_is_for_moderators_only(client, reviews_viewer, moderator):
    url = reverse("admin:reviews_reviewerblock_changelist")
    client.force_login(reviews_viewer)
    assert client.get(url).status_code == 403

    client.force_login(moderator)
    assert client.get(url).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client, review):
    response = client.get(redact_url(review))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_unknown_review_is_404_not_500(moderator_client):
    assert (
        moderator_client.get(reverse("admin:reviews_review_redact", args=[999999])).status_code
        == 404
    )


def test_the_history_of_a_review_without_address_or_client(moderator_client, make_review):
    anonymous = make_review(name="Anonymous reader", email="", fingerprint="")
    make_review(name="Anonymous reader", email="", fingerprint="", status=Review.Status.SPAM)

    page = moderator_client.get(change_url(anonymous)).content.decode()

    # An erased review is its own whole history: other erased ones are not "the same person".
    assert 'class="history-approved">1<' in page
    assert 'class="history-spam">0<' in page
    assert 'class="history-same-client">0<' in page
