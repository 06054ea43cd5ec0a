"""Digests and alerts as the worker sends them, through a real SMTP server of the test's own."""

from datetime import timedelta

import pytest
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article, Region, Rubric
from newsletters import schedule, sending
from newsletters.models import Delivery, Send, Subscriber
from worker.supervision import requeue_cut_off_tasks


def batches():
    return DBTaskResult.objects.filter(task_path=sending.send_next_batch.module_path)


@pytest.fixture
def caucasus(db) -> Region:
    return Region.objects.create(name="South Caucasus", slug="south-caucasus")


@pytest.fixture
def asia(db) -> Region:
    return Region.objects.create(name="Central Asia", slug="central-asia")


def test_digest_holds_only_the_public_stories_of_the_readers_region(
    smtp_server, make_article, make_subscriber, start_daily, run_tasks, caucasus, asia
):
    now = timezone.now()
    make_article(title="Ports compete for cargo", region=caucasus)
    make_article(title="A draft about ports", region=caucasus, status=Article.Status.DRAFT)
    make_article(
        title="Scheduled for tomorrow", region=caucasus, publish_at=now + timedelta(days=1)
    )
    make_article(
        title="Already taken down",
        region=caucasus,
        publish_at=now - timedelta(hours=5),
        unpublish_at=now - timedelta(hours=1),
    )
    make_article(title="Last week's story", region=caucasus, publish_at=now - timedelta(days=3))
    make_article(title="Water before oil", region=asia)
    make_subscriber("nare@example.org", regions=[caucasus])

    start_daily()
    run_tasks()

    [digest] = smtp_server.to("nare@example.org")
    for part in (digest.text, digest.html):
        assert "Ports compete for cargo" in part
        for absent in (
            "A draft about ports",
            "Scheduled for tomorrow",
            "Already taken down",
            "Last week&#x27;s story",
            "Last week's story",
            "Water before oil",
        ):
            assert absent not in part


def test_a_story_taken_down_after_the_send_started_is_in_no_email_sent_after(
    smtp_server, make_article, make_subscriber, start_daily, run_tasks
):
    kept = make_article(title="Kept on the site")
    withdrawn = make_article(title="Withdrawn in the meantime")
    make_subscriber("omar@example.org")
    send = start_daily()

    Article.objects.filter(pk=withdrawn.pk).update(status=Article.Status.DRAFT)
    run_tasks()

    [digest] = smtp_server.to("omar@example.org")
    assert kept.title in digest.text
    assert withdrawn.title not in digest.text
    send.refresh_from_db()
    assert (send.status, send.delivered, send.recipients) == ("done", 1, 1)


def test_every_digest_is_html_and_text_with_one_click_unsubscribe_and_preferences_links(
    smtp_server, make_article, make_subscriber, start_daily, run_tasks
):
    make_article(title="The Almaty talks")
    make_subscriber("clara@example.org")
    start_daily()
    run_tasks()

    [digest] = smtp_server.to("clara@example.org")
    message = digest.message
    assert message.get_content_type() == "multipart/alternative"
    assert "The Almaty talks" in digest.html and "The Almaty talks" in digest.text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe.startswith("http://127.0.0.1:8000/newsletter/unsubscribe/")
    assert unsubscribe in digest.text and unsubscribe in digest.html
    assert "/newsletter/preferences/" in digest.link_to("/preferences/")
    assert message["List-Id"]


def test_choices_pick_stories_by_region_rubric_or_author(
    smtp_server,
    make_article,
    make_subscriber,
    start_daily,
    run_tasks,
    caucasus,
    asia,
    author_user,
):
    analysis = Rubric.objects.create(name="Analysis", slug="analysis")
    author = author_user.author_profile
    make_article(title="Caucasus news", region=caucasus)
    make_article(title="Asian analysis", region=asia, rubric=analysis)
    make_article(title="By Arthur", region=asia, authors=[author])
    make_subscriber("region@example.org", regions=[caucasus])
    make_subscriber("rubric@example.org", rubrics=[analysis])
    make_subscriber("author@example.org", authors=[author])
    make_subscriber("all@example.org")

    start_daily()
    run_tasks()

    def titles(address):
        [digest] = smtp_server.to(address)
        return {t for t in ("Caucasus news", "Asian analysis", "By Arthur") if t in digest.text}

    assert titles("region@example.org") == {"Caucasus news"}
    assert titles("rubric@example.org") == {"Asian analysis"}
    assert titles("author@example.org") == {"By Arthur"}
    assert titles("all@example.org") == {"Caucasus news", "Asian analysis", "By Arthur"}


def test_nothing_goes_to_unconfirmed_weekly_or_late_subscribers_and_empty_digests_are_skipped(
    smtp_server, make_article, make_subscriber, start_daily, run_tasks, caucasus, asia
):
    make_article(title="Only in Asia", region=asia)
    make_subscriber("unconfirmed@example.org", confirmed=False)
    make_subscriber("weekly@example.org", frequency="weekly")
    make_subscriber("caucasus-only@example.org", regions=[caucasus])
    make_subscriber("daily@example.org")
    send = start_daily()
    make_subscriber("after-the-start@example.org")
    Subscriber.objects.filter(email="after-the-start@example.org").update(
        confirmed_at=timezone.now() + timedelta(seconds=1)
    )

    run_tasks()

    assert [message.to for message in smtp_server.messages] == ["daily@example.org"]
    send.refresh_from_db()
    assert (send.recipients, send.delivered, send.skipped, send.failed) == (2, 1, 1, 0)


def test_a_refused_recipient_counts_as_failed_and_the_rest_are_delivered(
    smtp_server, make_article, make_subscriber, start_daily, run_tasks
):
    make_article()
    for name in ("ana", "bob", "cem"):
        make_subscriber(f"{name}@example.org")
    smtp_server.keeper.refuse.add("bob@example.org")

    send = start_daily()
    run_tasks()

    send.refresh_from_db()
    assert (send.delivered, send.failed) == (2, 1)
    assert sorted(message.to for message in smtp_server.messages) == [
        "ana@example.org",
        "cem@example.org",
    ]
    failed = Delivery.objects.get(status=Delivery.Status.FAILED)
    assert "550" in failed.error


def test_batches_follow_one_another_at_the_configured_rate(
    settings, smtp_server, make_article, make_subscriber, start_daily, run_tasks
):
    settings.NEWSLETTER_BATCH_SIZE = 2
    settings.NEWSLETTER_RATE = 1  # two emails a batch: the next batch two seconds later
    make_article()
    for number in range(5):
        make_subscriber(f"reader{number}@example.org")
    send = start_daily()

    run_tasks()

    assert len(smtp_server.messages) == 2
    waiting = batches().get(status="READY")
    assert waiting.run_after > timezone.now() + timedelta(seconds=1)
    send.refresh_from_db()
    assert send.chain == str(waiting.id) and send.status == "sending"


def test_a_batch_cut_off_mid_way_resumes_without_sending_anyone_twice(
    settings, smtp_server, make_article, make_subscriber, start_daily, run_tasks, monkeypatch
):
    """The worker dies right after the mail server took the 9th email, before it was noted.

    The task is queued again, as the worker's supervisor does for a worker stopped mid-task;
    the rerun marks the 9th "interrupted" rather than send it again, and sends everyone else.
    """
    settings.NEWSLETTER_BATCH_SIZE = 5
    make_article()
    addresses = [f"reader{number:02}@example.org" for number in range(12)]
    for address in addresses:
        make_subscriber(address)
    send = start_daily()

    real_send = SMTPBackend.send_messages
    sent = {"count": 0}

    def send_then_die(self, messages):
        result = real_send(self, messages)  # the server has it...
        sent["count"] += 1
        if sent["count"] == 9:
            raise KeyboardInterrupt  # ...and the worker is gone before it was noted
        return result

    monkeypatch.setattr(SMTPBackend, "send_messages", send_then_die)
    run_tasks(allow_failures=True)
    assert len(smtp_server.messages) == 9
    assert Delivery.objects.filter(status=Delivery.Status.SENDING).count() == 1

    assert requeue_cut_off_tasks() == 1
    run_tasks()

    assert sorted(message.to for message in smtp_server.messages) == addresses
    send.refresh_from_db()
    assert (send.status, send.delivered, send.unknown) == ("done", 11, 1)
    assert Delivery.objects.get(status=Delivery.Status.UNKNOWN).subscriber.email == (
        smtp_server.messages[8].to
    )


def test_with_the_mail_server_down_nothing_is_lost_and_the_batch_is_tried_again(
    settings, smtp_server, make_article, make_subscriber, start_daily, run_tasks
):
    make_article()
    make_subscriber("ana@example.org")
    make_subscriber("bob@example.org")
    real_port = smtp_server.port
    settings.EMAIL_PORT = 9  # nothing listens there
    send = start_daily()

    run_tasks()

    send.refresh_from_db()
    assert (send.status, send.delivered, send.failed, send.cursor) == ("sending", 0, 0, 0)
    retry = batches().get(status="READY")
    assert retry.run_after > timezone.now() + timedelta(seconds=30)
    assert send.chain == str(retry.id)

    settings.EMAIL_PORT = real_port
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_tasks()

    assert sorted(message.to for message in smtp_server.messages) == [
        "ana@example.org",
        "bob@example.org",
    ]
    send.refresh_from_db()
    assert (send.status, send.delivered) == ("done", 2)


def test_a_stalled_send_is_queued_again_and_its_old_task_stands_aside(
    smtp_server, make_article, make_subscriber, start_daily, run_tasks
):
    make_article()
    make_subscriber("ana@example.org")
    send = start_daily()
    old_task = batches().get(status="READY")
    # Its task failed for good, say: no sign of life for longer than the stall time.
    DBTaskResult.objects.filter(pk=old_task.pk).update(status="FAILED")
    quiet = timezone.now() - timedelta(minutes=10)
    Send.objects.filter(pk=send.pk).update(heartbeat_at=quiet, next_batch_at=quiet)

    assert sending.resume_stalled() == 1
    assert sending.resume_stalled() == 0  # it just showed a sign of life
    run_tasks()

    assert [message.to for message in smtp_server.messages] == ["ana@example.org"]
    assert sending.send_batch(send.pk, runner=str(old_task.id)) == "not mine"


def test_an_alert_goes_to_those_who_asked_for_breaking_news_and_never_for_a_withdrawn_story(
    smtp_server, make_article, make_subscriber, run_tasks, editor
):
    story = make_article(title="Ceasefire announced")
    make_subscriber("breaking@example.org", breaking=True, frequency="weekly")
    make_subscriber("digest-only@example.org")

    send = sending.start(kind=Send.Kind.ALERT, article=story, by=editor)
    run_tasks()

    [alert] = smtp_server.messages
    assert alert.to == "breaking@example.org"
    assert alert.message["Subject"] == "Breaking: Ceasefire announced"
    assert "Ceasefire announced" in alert.html
    send.refresh_from_db()
    assert (send.status, send.delivered) == ("done", 1)

    withdrawn = make_article(title="Retracted claim")
    second = sending.start(kind=Send.Kind.ALERT, article=withdrawn, by=editor)
    Article.objects.filter(pk=withdrawn.pk).update(status=Article.Status.DRAFT)
    run_tasks()

    assert len(smtp_server.messages) == 1
    second.refresh_from_db()
    assert second.status == "stopped"


def test_digests_start_at_their_hour_once_and_their_windows_follow_one_another(
    settings, make_subscriber, run_tasks, smtp_server
):
    settings.NEWSLETTER_WEEKLY_DAY = 2  # Wednesday
    tz = timezone.get_current_timezone()
    wednesday_6 = timezone.make_aware(timezone.datetime(2026, 12, 9, 6, 0), tz)
    wednesday_8 = wednesday_6 + timedelta(hours=2)
    thursday_8 = wednesday_8 + timedelta(days=1)

    assert schedule.digest_schedule_due(wednesday_6) == []
    daily, weekly = schedule.digest_schedule_due(wednesday_8)
    assert (daily.kind, weekly.kind) == ("daily", "weekly")
    assert daily.window_end - daily.window_start == timedelta(days=1)
    assert weekly.window_end - weekly.window_start == timedelta(days=7)
    assert schedule.digest_schedule_due(wednesday_8 + timedelta(hours=1)) == []

    [thursday] = schedule.digest_schedule_due(thursday_8)
    assert thursday.kind == "daily"
    assert thursday.window_start == daily.window_end


def test_unconfirmed_sign_ups_are_forgotten_after_the_confirmation_time(make_subscriber):
    old = make_subscriber("old@example.org", confirmed=False)
    Subscriber.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    make_subscriber("new@example.org", confirmed=False)
    make_subscriber("kept@example.org")
    Subscriber.objects.filter(email="kept@example.org").update(
        created_at=timezone.now() - timedelta(days=80)
    )

    assert schedule.forget_unconfirmed() == 1
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == [
        "kept@example.org",
        "new@example.org",
    ]
