"""Moderators hear about new pending reviews by email; a failing mail server loses nothing."""

import io

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from reviews.models import Review
from reviews.moderators import moderator_emails
from reviews.tasks import notify_moderators
from worker import supervision

pytestmark = pytest.mark.django_db


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")


@pytest.fixture
def failing_mail(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"


def send(post_review, article, after_commit, **fields):
    with after_commit():
        response = post_review(article, **fields)
    assert response.status_code == 302
    return Review.objects.latest("pk")


def test_new_pending_review_emails_the_moderators(
    published_article, post_review, moderator, mailoutbox, after_commit
):
    review = send(post_review, published_article, after_commit)

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [moderator.email]
    assert published_article.title in mail.subject
    assert "Nino Beridze" in mail.body
    assert "new reviewer" in mail.body
    assert "/admin/reviews/review/?status__exact=pending" in mail.body
    review.refresh_from_db()
    assert review.notified_at is not None


def test_mail_goes_out_only_after_the_review_is_committed(
    published_article, post_review, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post_review(published_article)

    assert mailoutbox == []
    assert len(callbacks) == 1
    assert not DBTaskResult.objects.filter(task_path__startswith="reviews.").exists()


def test_mail_is_sent_by_the_worker_not_by_the_readers_request(
    published_article, post_review, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_review(published_article)

    assert response.status_code == 302
    assert mailoutbox == []
    (queued,) = DBTaskResult.objects.filter(task_path__startswith="reviews.")
    assert queued.task_path == "reviews.tasks.notify_moderators"
    assert queued.status == "READY"


def test_spam_and_rule_approved_reviews_send_no_email(
    published_article, post_review, moderator, mailoutbox, after_commit
):
    send(post_review, published_article, after_commit, website="x")

    assert mailoutbox == []


def test_editors_and_superusers_are_told_but_authors_are_not(
    published_article,
    post_review,
    editor,
    author_user,
    admin_user,
    mailoutbox,
    after_commit,
):
    send(post_review, published_article, after_commit)

    recipients = set(mailoutbox[0].to)
    assert editor.email in recipients
    assert admin_user.email in recipients
    assert author_user.email not in recipients


def test_fallback_addresses_when_no_moderator_has_an_email(settings):
    settings.MODERATOR_EMAILS = ["desk@newsroom.example"]

    assert moderator_emails() == ["desk@newsroom.example"]


def test_failing_mail_server_keeps_the_review_and_the_reader_is_thanked(
    client,
    published_article,
    post_review,
    moderator,
    failing_mail,
    after_commit,
    caplog,
):
    with after_commit():
        response = post_review(published_article)

    assert response.status_code == 302
    review = Review.objects.get()
    assert review.status == Review.Status.PENDING
    assert review.notified_at is None
    assert "Could not email moderators" in caplog.text
    page = client.get(response["Location"]).content.decode()
    assert "will appear once a moderator approves it" in page


def test_unsent_notifications_go_out_when_the_mail_server_is_back(
    published_article,
    post_review,
    moderator,
    settings,
    mailoutbox,
    after_commit,
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    send(post_review, published_article, after_commit)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    first, second = io.StringIO(), io.StringIO()
    call_command("notify_moderators", stdout=first)
    call_command("notify_moderators", stdout=second)

    assert len(mailoutbox) == 1
    assert "about 1 review" in first.getvalue()
    assert "about 0 review" in second.getvalue()
    assert Review.objects.get().notified_at is not None


def test_task_ignores_a_review_already_moderated(make_review, moderator, mailoutbox):
    review = make_review(status=Review.Status.APPROVED)

    assert notify_moderators.call(review.pk) is False
    assert mailoutbox == []


def test_the_worker_announces_what_a_failed_mail_server_left_without_cron(
    published_article, post_review, moderator, settings, mailoutbox, after_commit, run_tasks
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    send(post_review, published_article, after_commit)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    enqueued = supervision.enqueue_due_periodic_jobs()
    run_tasks()

    assert "reviews.tasks.announce_waiting_reviews" in enqueued
    assert "reviews.tasks.send_moderation_digest" in enqueued
    assert len(mailoutbox) == 1
    assert Review.objects.get().notified_at is not None
