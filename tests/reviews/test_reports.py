"""Readers report a published review or reply; enough reports send it back to the queue.

One report per client and review (the keyed hash of its address, nothing else), counted in
the reviews' rate limit. At ``report_threshold`` different clients the review is held,
"reported 3×" beside its reasons, and its story's cached page forgets it at once.
"""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from reviews.forms import sign_report_timestamp
from reviews.models import Review, ReviewerBlock, ReviewReport
from reviews.services import client_fingerprint, review_moderate

pytestmark = pytest.mark.django_db

CLIENTS = ("198.51.100.1", "198.51.100.2", "198.51.100.3")


def report_url(review) -> str:
    return reverse("reviews:report", args=(review.pk,))


@pytest.fixture
def review(make_review) -> Review:
    return make_review(name="Troll", body="Everyone who disagrees is an idiot.")


def test_every_published_review_and_reply_has_a_report_link(client, make_review, review):
    reply = make_review(parent=review, body="A reply.")

    page = client.get(review.article.get_absolute_url()).content.decode()

    assert f'href="{report_url(review)}"' in page
    assert f'href="{report_url(reply)}"' in page


def test_the_report_page_is_a_form_of_its_own_never_cached(client, review):
    response = client.get(report_url(review))
    page = response.content.decode()

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert 'name="csrfmiddlewaretoken"' in page
    assert "Everyone who disagrees is an idiot." in page
    for label in ("Spam or advertising", "Abusive or hateful", "Off-topic", "Something else"):
        assert label in page


@pytest.mark.parametrize("status", ["pending", "rejected", "spam", "withdrawn"])
def test_only_published_reviews_can_be_reported(client, make_review, status, post_report):
    hidden = make_review(status=status)

    assert client.get(report_url(hidden)).status_code == 404
    assert post_report(hidden).status_code == 404
    assert not ReviewReport.objects.exists()


def test_a_reply_under_a_held_review_cannot_be_reported(client, make_review, review):
    reply = make_review(parent=review)
    Review.objects.filter(pk=review.pk).update(status=Review.Status.PENDING)

    assert client.get(report_url(reply)).status_code == 404


def test_a_report_stores_the_reason_and_only_a_hash_of_the_client(client, review, post_report):
    response = post_report(review, ip="198.51.100.7", reason="personal_data", text="Her address")

    assert response.status_code == 302
    report = ReviewReport.objects.get()
    assert report.reason == "personal_data"
    assert report.text == "Her address"
    assert report.fingerprint == client_fingerprint("198.51.100.7")
    assert "198.51.100.7" not in str(ReviewReport.objects.values().get())
    page = client.get(response["Location"]).content.decode()
    assert "Thank you — moderators will look at it." in page


def test_one_report_per_client_and_review(client, review, post_report):
    post_report(review, reason="spam")
    response = post_report(review, reason="abuse")

    assert ReviewReport.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "You have reported this one already" in page


def test_something_else_needs_details_and_the_choice_is_kept(review, post_report):
    response = post_report(review, reason="other", text="")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Please say in a few words what is wrong with this review." in page
    assert re.search(r'value="other"[^>]* checked>', page)
    assert not ReviewReport.objects.exists()


def test_an_unknown_reason_is_refused_clearly(review, post_report):
    response = post_report(review, reason="because")

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_a_forged_timestamp_is_refused(review, post_report):
    response = post_report(review, timestamp="forged")

    assert response.status_code == 400
    assert "We could not check this form." in response.content.decode()


def test_a_timestamp_signed_for_another_review_is_refused(make_review, review, post_report):
    other = make_review()

    response = post_report(review, timestamp=sign_report_timestamp(other.pk))

    assert response.status_code == 400
    assert not ReviewReport.objects.exists()


def test_a_scripted_report_hears_thanks_and_is_not_stored(client, review, post_report):
    honeypot = post_report(review, ip="198.51.100.1", website="http://x.example")
    too_fast = post_report(
        review, ip="198.51.100.2", timestamp=sign_report_timestamp(review.pk, at=time.time())
    )

    assert honeypot.status_code == too_fast.status_code == 302
    assert "Thank you" in client.get(honeypot["Location"]).content.decode()
    assert not ReviewReport.objects.exists()


def test_reports_share_the_reviews_rate_limit(
    settings, published_article, review, post_review, post_report, make_review
):
    settings.REVIEWS_RATE_LIMIT_COUNT = 2
    assert post_review(published_article).status_code == 302
    assert post_report(review).status_code == 302

    response = post_report(make_review(), reason="other", text="Kept when refused")

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.REVIEWS_RATE_LIMIT_PERIOD
    assert "Kept when refused" in response.content.decode()
    assert ReviewReport.objects.count() == 1


def test_a_blocked_clients_report_is_not_counted(review, post_report, moderator):
    from datetime import timedelta

    from django.utils import timezone

    ReviewerBlock.objects.create(
        fingerprint=client_fingerprint(CLIENTS[0]),
        note="Report flooding",
        expires_at=timezone.now() + timedelta(days=1),
    )

    assert post_report(review, ip=CLIENTS[0]).status_code == 302
    assert not ReviewReport.objects.exists()


# -- Holding ------------------------------------------------------------------------------------


def test_three_clients_reporting_hold_the_review_with_the_reason(
    client, review, post_report, after_commit, mailoutbox, moderator
):
    story = review.article.get_absolute_url()
    assert "Everyone who disagrees" in client.get(story).content.decode()  # now cached

    with after_commit():
        for ip in CLIENTS[:2]:
            post_report(review, ip=ip)
    review.refresh_from_db()
    assert review.status == Review.Status.APPROVED
    with after_commit():
        post_report(review, ip=CLIENTS[2])

    review.refresh_from_db()
    assert review.status == Review.Status.PENDING
    assert review.reasons[-1] == "reported 3×"
    assert review.moderated_by is None
    # The shared story page forgot it at once, for everyone.
    assert "Everyone who disagrees" not in Client().get(story).content.decode()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVIEW_HELD)
    assert entry.details == {"review": review.pk, "reports": 3}
    assert entry.story_id == review.article_id
    assert [mail.to for mail in mailoutbox] == [["mona@newsroom.example"]]


def test_the_reporter_who_held_it_is_still_thanked(client, review, post_report, rules):
    rules.report_threshold = 1
    rules.save()

    response = post_report(review)

    assert Review.objects.get(pk=review.pk).status == Review.Status.PENDING
    # Thanked at once: the report page of a held review is gone, for this reader too.
    assert response.status_code == 200
    assert "Thank you — moderators will look at it." in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert client.get(report_url(review)).status_code == 404


def test_a_held_reviews_report_page_is_not_found_whatever_the_session_holds(
    client, make_review, review, post_report
):
    hidden = make_review(status=Review.Status.PENDING, body="Not public yet.")
    # The session now holds a "sent" message, as after any report.
    response = post_report(review)
    assert response.status_code == 302

    assert client.get(report_url(hidden)).status_code == 404
    # The message is still there for the page it was meant for.
    assert "moderators will look at it" in client.get(report_url(review)).content.decode()


def test_the_threshold_is_the_editors_rule(review, post_report, rules):
    rules.report_threshold = 2
    rules.save()
    post_report(review, ip=CLIENTS[0])
    post_report(review, ip=CLIENTS[1])

    review.refresh_from_db()
    assert review.status == Review.Status.PENDING
    assert review.reasons[-1] == "reported 2×"


def test_threshold_zero_never_holds(review, post_report, rules):
    rules.report_threshold = 0
    rules.save()
    for ip in CLIENTS:
        post_report(review, ip=ip)

    assert Review.objects.get(pk=review.pk).status == Review.Status.APPROVED


def test_the_same_client_three_times_does_not_hold(review, post_report):
    for _time in range(3):
        post_report(review, ip=CLIENTS[0])

    assert Review.objects.get(pk=review.pk).status == Review.Status.APPROVED


def test_a_reported_reply_is_held_alone(make_review, review, post_report):
    reply = make_review(parent=review, body="A rude reply.")
    for ip in CLIENTS:
        post_report(reply, ip=ip)

    assert Review.objects.get(pk=reply.pk).status == Review.Status.PENDING
    assert Review.objects.get(pk=review.pk).status == Review.Status.APPROVED


def test_approving_again_dismisses_the_reports_so_others_count_anew(review, post_report, moderator):
    for ip in CLIENTS:
        post_report(review, ip=ip)
    review_moderate(reviews=Review.objects.filter(pk=review.pk), status="approved", by=moderator)

    assert not ReviewReport.objects.open().exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REPORTS_CLEARED).count() == 1
    # The clients that reported cannot report it again; a new one alone does not hold it.
    post_report(review, ip=CLIENTS[0])
    post_report(review, ip="198.51.100.99")
    assert Review.objects.get(pk=review.pk).status == Review.Status.APPROVED


# -- The "Reported" view of the queue -----------------------------------------------------------


def test_the_queue_has_a_reported_view_with_counts_and_reasons(
    client, moderator, make_review, review
):
    quiet = make_review(body="Nobody minds this one.")
    for ip, reason in zip(CLIENTS[:2], ("abuse", "spam"), strict=True):
        ReviewReport.objects.create(
            review=review, fingerprint=client_fingerprint(ip), reason=reason
        )
    client.force_login(moderator)
    url = reverse("admin:reviews_review_changelist")

    response = client.get(url, {"reported": "open"})

    assert [row.pk for row in response.context["cl"].result_list] == [review.pk]
    page = response.content.decode()
    assert "Reported 2×:" in page
    assert "<li>Abusive or hateful (1)</li><li>Spam or advertising (1)</li>" in page
    assert quiet.pk not in [row.pk for row in response.context["cl"].result_list]


def test_the_queue_reads_reports_in_a_constant_number_of_queries(
    client, moderator, make_review, django_assert_max_num_queries
):
    for number in range(20):
        reported = make_review(body=f"Reported {number}")
        for ip in CLIENTS:
            ReviewReport.objects.create(review=reported, fingerprint=ip, reason="spam")
    client.force_login(moderator)
    client.get(reverse("admin:reviews_review_changelist"))

    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:reviews_review_changelist"), {"reported": "open"})
    assert response.content.decode().count("Reported 3×:") == 20


def test_the_review_page_lists_its_reports_for_moderators(client, moderator, review):
    ReviewReport.objects.create(
        review=review, fingerprint="f" * 64, reason="other", text="Insults a named neighbour"
    )
    client.force_login(moderator)

    page = client.get(reverse("admin:reviews_review_change", args=[review.pk])).content.decode()

    assert "Insults a named neighbour" in page
    assert "f" * 64 not in page


def test_moderators_can_dismiss_reports_with_an_action(client, moderator, review):
    ReviewReport.objects.create(review=review, fingerprint="a" * 64, reason="spam")
    client.force_login(moderator)

    client.post(
        reverse("admin:reviews_review_changelist"),
        {"action": "dismiss_reports", "_selected_action": [review.pk]},
    )

    report = ReviewReport.objects.get()
    assert report.dismissed_by == moderator
    assert report.dismissed_at is not None


def test_reports_never_show_on_the_public_page(client, review, post_report):
    post_report(review, reason="other", text="A secret reason")

    page = client.get(review.article.get_absolute_url()).content.decode()

    assert "A secret reason" not in page
    assert "reported" not in page.lower()


# -- One client, one /64 --------------------------------------------------------------------------

ONE_MACHINE = ("2001:db8:5:7::1", "2001:db8:5:7:a::2", "2001:db8:5:7:ffff:1:2:3")


def test_three_addresses_of_one_ipv6_64_are_one_reporter(review, post_report):
    for ip in ONE_MACHINE:
        post_report(review, ip=ip)

    assert Review.objects.get(pk=review.pk).status == Review.Status.APPROVED
    assert ReviewReport.objects.filter(review=review).count() == 1
    assert ReviewReport.objects.get().fingerprint == client_fingerprint("2001:db8:5:7::/64")


def test_three_ipv6_64s_are_three_reporters(review, post_report):
    for ip in ("2001:db8:5:1::1", "2001:db8:5:2::1", "2001:db8:5:3::1"):
        post_report(review, ip=ip)

    assert Review.objects.get(pk=review.pk).status == Review.Status.PENDING


def test_an_ipv4_mapped_address_is_its_ipv4_client():
    assert client_fingerprint("::ffff:198.51.100.7") == client_fingerprint("198.51.100.7")
    assert client_fingerprint("198.51.100.7") != client_fingerprint("198.51.100.8")
