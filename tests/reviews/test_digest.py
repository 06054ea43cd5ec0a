"""Moderators get a digest of a busy queue at most every N hours, not one email per review."""

from datetime import timedelta

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone

from reviews.models import ModerationDigestState, Review
from reviews.moderators import send_digest_if_due
from reviews.services import client_fingerprint


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")


@pytest.fixture(autouse=True)
def busy_from_three(settings):
    settings.REVIEWS_DIGEST_THRESHOLD = 3
    settings.REVIEWS_DIGEST_HOURS = 3


@pytest.fixture
def waiting(published_article):
    """Make *count* pending reviews nobody was told about, the oldest an hour old."""

    def make(count: int) -> list[Review]:
        reviews = [
            Review.objects.create(
                article=published_article,
                name=f"Reader {number}",
                email=f"reader{number}@example.org",
                body="An opinion.",
                fingerprint=client_fingerprint(f"192.0.2.{number}"),
            )
            for number in range(count)
        ]
        Review.objects.filter(pk=reviews[0].pk).update(
            created_at=timezone.now() - timedelta(hours=1)
        )
        return reviews

    return make


@pytest.fixture
def send(post_review, published_article, after_commit):
    def send_(**fields):
        with after_commit():
            assert post_review(published_article, **fields).status_code == 302

    return send_


def to_moderators(mailoutbox, moderator) -> list:
    return [mail for mail in mailoutbox if mail.to == [moderator.email]]


def test_a_quiet_queue_still_gets_one_email_per_review(send, moderator, mailoutbox, waiting):
    waiting(1)
    send()
    mails = to_moderators(mailoutbox, moderator)
    assert len(mails) == 1
    assert mails[0].subject.startswith("New review to moderate")


def test_a_busy_queue_gets_one_digest_instead(send, moderator, mailoutbox, waiting):
    waiting(3)
    send()

    mails = to_moderators(mailoutbox, moderator)
    assert [mail.subject for mail in mails] == ["Review queue: 4 waiting"]
    body = mails[0].body
    assert "Waiting for a moderator: 4" in body
    assert "New since the last email: 4" in body
    assert "Oldest waiting: 1\xa0hour" in body
    assert "/admin/reviews/review/?status__exact=pending" in body
    assert not Review.objects.pending().filter(notified_at__isnull=True).exists()


def test_no_second_digest_within_the_interval(send, moderator, mailoutbox, waiting):
    waiting(3)
    send()
    send(body="Another opinion entirely, sent a little later.")
    assert len(to_moderators(mailoutbox, moderator)) == 1


def test_the_next_digest_comes_once_the_interval_has_passed(send, moderator, mailoutbox, waiting):
    waiting(3)
    send()
    ModerationDigestState.objects.update(
        last_sent_at=timezone.now() - timedelta(hours=3, seconds=1)
    )

    send(body="Another opinion entirely, sent hours later.")

    mails = to_moderators(mailoutbox, moderator)
    assert [mail.subject for mail in mails] == [
        "Review queue: 4 waiting",
        "Review queue: 5 waiting",
    ]
    assert "New since the last email: 1" in mails[1].body


def test_the_notify_command_does_not_mail_a_busy_queue_review_by_review(
    moderator, mailoutbox, waiting
):
    waiting(5)
    ModerationDigestState.objects.create(pk=1, last_sent_at=timezone.now())

    call_command("notify_moderators")

    assert to_moderators(mailoutbox, moderator) == []


def test_send_moderation_digest_command_for_cron(moderator, mailoutbox, waiting, capsys):
    waiting(3)
    call_command("send_moderation_digest")
    call_command("send_moderation_digest")
    call_command("send_moderation_digest", "--force")

    assert capsys.readouterr().out.splitlines() == [
        "Digest sent.",
        "No digest due.",
        "No digest due.",
    ]
    # Forced, but every waiting review was already announced: nothing new to say.
    assert len(to_moderators(mailoutbox, moderator)) == 1


def test_a_failed_digest_is_tried_again(settings, moderator, mailoutbox, waiting):
    waiting(3)
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    assert send_digest_if_due() is False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert send_digest_if_due() is True
    assert len(to_moderators(mailoutbox, moderator)) == 1


def test_digests_are_claimed_once_whatever_the_caller(moderator, mailoutbox, waiting):
    waiting(3)
    now = timezone.now()
    assert send_digest_if_due(now=now) is True
    waiting(1)
    assert send_digest_if_due(now=now + timedelta(hours=1)) is False
    assert send_digest_if_due(now=now + timedelta(hours=3)) is True
