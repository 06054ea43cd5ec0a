"""Fingerprints and user agents are blanked after NEWSROOM_FINGERPRINT_RETENTION_DAYS.

By a periodic job of the worker and by ``manage.py erase_old_fingerprints``: one UPDATE per
table, the rows themselves kept, and nothing that reads fingerprints thrown off by a blank.
"""

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from datarights import retention, tasks
from datarights.models import DataRequest
from editorial.models import PreviewOpening
from editorial.services import preview_link_create, preview_opening_record
from reviews.models import Review, ReviewerBlock, ReviewReport
from reviews.moderation import Moderator
from reviews.services import client_fingerprint
from worker.supervision import periodic_jobs

pytestmark = pytest.mark.django_db

DAYS = 30


def aged(model, pk: int, field: str, days: float) -> None:
    """Move a row's time *days* into the past (auto_now_add cannot be set on create)."""
    model.objects.filter(pk=pk).update(**{field: timezone.now() - timedelta(days=days)})


@pytest.fixture
def old_and_new(make_review, editor, published_article):
    old_review, new_review = make_review(), make_review(body="Recent.")
    aged(Review, old_review.pk, "created_at", DAYS + 1)
    aged(Review, new_review.pk, "created_at", DAYS - 1)
    link, _token = preview_link_create(article=published_article, by=editor, hours=48)
    old_opening = preview_opening_record(link=link, ip="198.51.100.7", user_agent="Lawyer's phone")
    new_opening = preview_opening_record(link=link, ip="198.51.100.8", user_agent="Editor's PC")
    aged(PreviewOpening, old_opening.pk, "opened_at", DAYS + 1)
    old_report = ReviewReport.objects.create(
        review=new_review, reason="spam", fingerprint=client_fingerprint("198.51.100.9")
    )
    older_report = ReviewReport.objects.create(
        review=new_review, reason="abuse", fingerprint=client_fingerprint("198.51.100.10")
    )
    new_report = ReviewReport.objects.create(
        review=new_review, reason="other", fingerprint=client_fingerprint("198.51.100.11")
    )
    for report in (old_report, older_report):
        aged(ReviewReport, report.pk, "created_at", DAYS + 2)
    long_expired_block = ReviewerBlock.objects.create(
        email="troll@example.org", note="Spam", expires_at=timezone.now() - timedelta(days=DAYS + 1)
    )
    lately_expired_block = ReviewerBlock.objects.create(
        email="pest@example.org", note="Spam", expires_at=timezone.now() - timedelta(days=1)
    )
    old_attempt = AccessAttempt.objects.create(
        username="edna", ip_address="198.51.100.12", user_agent="curl", failures_since_start=2
    )
    aged(AccessAttempt, old_attempt.pk, "attempt_time", DAYS + 1)
    return {
        "old_review": old_review,
        "new_review": new_review,
        "old_opening": old_opening,
        "new_opening": new_opening,
        "old_reports": (old_report, older_report),
        "new_report": new_report,
        "old_attempt": old_attempt,
        "blocks": (long_expired_block, lately_expired_block),
    }


def test_what_is_older_than_the_period_is_blanked_and_newer_kept(old_and_new):
    done = retention.erase_old_fingerprints()

    old, new = (Review.objects.get(pk=old_and_new[key].pk) for key in ("old_review", "new_review"))
    assert (old.fingerprint, old.user_agent) == ("", "")
    assert old.body == "A careful piece about the border talks.", "the review itself stays"
    assert new.fingerprint == client_fingerprint("198.51.100.1")
    assert new.user_agent == "Mozilla/5.0 (Nino's laptop)"
    old_opening = PreviewOpening.objects.get(pk=old_and_new["old_opening"].pk)
    new_opening = PreviewOpening.objects.get(pk=old_and_new["new_opening"].pk)
    assert (old_opening.fingerprint, old_opening.user_agent) == ("", "")
    assert new_opening.user_agent == "Editor's PC" and new_opening.fingerprint
    reports = {report.pk: report.fingerprint for report in ReviewReport.objects.all()}
    for report in old_and_new["old_reports"]:
        assert reports[report.pk] == f"erased-{report.pk}", "unique per review, and no client"
    assert reports[old_and_new["new_report"].pk] == client_fingerprint("198.51.100.11")
    long_expired, lately_expired = old_and_new["blocks"]
    assert list(ReviewerBlock.objects.all()) == [lately_expired], "still in the moderators' view"
    attempt = AccessAttempt.objects.get(pk=old_and_new["old_attempt"].pk)
    assert (attempt.ip_address, attempt.user_agent, attempt.username) == (None, "", "edna")
    assert done == {
        "reviews.review": 1,
        "reviews.reviewreport": 2,
        "reviews.reviewerblock": 1,
        "editorial.previewopening": 1,
        "axes.accessattempt": 1,
        "axes.accessfailurelog": 0,
        "axes.accesslog": 0,
    }


def test_one_update_per_table_and_a_second_run_changes_nothing(old_and_new):
    with CaptureQueriesContext(connection) as queries:
        retention.erase_old_fingerprints()

    statements = [query["sql"].split()[0] for query in queries]
    statements = [verb for verb in statements if verb not in ("SAVEPOINT", "RELEASE")]
    # Reviews, reports, preview openings, three tables of failed logins; and the expired
    # blocks, found then deleted.
    assert statements.count("UPDATE") == 6
    assert set(statements) <= {"UPDATE", "SELECT", "DELETE"}
    assert set(retention.erase_old_fingerprints().values()) == {0}


def test_the_period_is_a_setting(settings, old_and_new):
    settings.NEWSROOM_FINGERPRINT_RETENTION_DAYS = DAYS - 2

    retention.erase_old_fingerprints()

    assert Review.objects.get(pk=old_and_new["new_review"].pk).fingerprint == ""


def test_the_command_does_it_and_says_what_it_did(old_and_new):
    out = StringIO()

    call_command("erase_old_fingerprints", stdout=out)

    assert "more than 30 days ago" in out.getvalue()
    assert "reviews.review: 1" in out.getvalue()
    assert Review.objects.get(pk=old_and_new["old_review"].pk).fingerprint == ""


def test_the_worker_runs_it_by_itself(old_and_new, run_tasks):
    jobs = {job.name: job.every for job in periodic_jobs()}
    assert jobs[tasks.erase_old_fingerprints.module_path] <= timedelta(hours=6)
    assert tasks.forget_expired_requests.module_path in jobs

    tasks.erase_old_fingerprints.enqueue()
    run_tasks()

    assert Review.objects.get(pk=old_and_new["old_review"].pk).fingerprint == ""


def test_a_blank_fingerprint_blocks_nobody_and_recent_ones_still_work(
    old_and_new, moderator, post_review, published_article
):
    # A block made against a client keeps its own copy of the fingerprint.
    ReviewerBlock.objects.create(
        fingerprint=client_fingerprint("198.51.100.200"),
        note="Troll",
        expires_at=timezone.now() + timedelta(days=60),
        created_by=moderator,
    )
    retention.erase_old_fingerprints()

    assert Moderator.block_of(fingerprint="") is None
    assert Moderator.block_of(fingerprint=client_fingerprint("198.51.100.200")) is not None
    # The form's duplicate check (one day back) still recognises a reader sending twice.
    body = "Exactly the same words, sent twice by one reader."
    assert post_review(published_article, body=body).status_code == 302
    again = post_review(published_article, body=body)
    assert "You have already sent this review for this story." in again.content.decode()


def test_the_command_also_forgets_expired_requests(db):
    old = DataRequest.objects.create(email="old@example.org")
    DataRequest.objects.create(email="new@example.org")
    aged(DataRequest, old.pk, "created_at", 1 / 12)  # two hours
    out = StringIO()

    call_command("erase_old_fingerprints", stdout=out)

    assert "Forgot 1 expired data request(s)" in out.getvalue()
    assert list(DataRequest.objects.values_list("email", flat=True)) == ["new@example.org"]
