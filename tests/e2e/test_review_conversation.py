"""Reviews as a conversation, in a real Chromium against the live server.

Leyla reviews a story, asks to be told of replies (and confirms her address from the
email), and keeps the edit link the page after sending shows her; a moderator approves the
review. Giorgi replies to it. Within the window Leyla changes her text: told beforehand that
a published review goes back to the moderators when changed, she sees it leave the story
until the moderator approves it again ("edited after approval" in the queue); then the story
shows it "edited". The moderator approves the reply, which shows under the review, and Leyla
is emailed about it.
Three readers on three networks report the review; it is held for a moderator with the
reason "reported 3×", and the story page (cached, shared) no longer shows it.

Readers are told apart as the site tells them apart behind its proxy: each browser sends
its own ``X-Forwarded-For``, which counts because the live server's connections come from a
trusted proxy address (127.0.0.1) in these tests.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Region, Rubric
from reviews.models import Review
from tests.e2e.conftest import blocking_violations, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SLUG = "border-crossing-reopens"
FIRST_TEXT = "I crossed here in May. The queue took an hour with children."
EDITED_TEXT = "I crossed here in May. The queue took an hour with two children, not three."
REPLY_TEXT = "Same for us in June, and the new terminal helped."


@pytest.fixture
def story(db):
    return Article.objects.create(
        title="The border crossing reopens",
        slug=SLUG,
        teaser="Families wait an hour, lorries three days.",
        body="<p>The crossing reopened on Monday.</p>",
        region=Region.objects.create(name="South Caucasus", slug="south-caucasus"),
        rubric=Rubric.objects.create(name="Analysis", slug="analysis"),
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(hours=1),
    )


@pytest.fixture
def networks(settings):
    """Believe the browsers' X-Forwarded-For (the live server is the trusted proxy here), and
    take forms sent at browser speed as a person's."""
    settings.TRUST_PROXY_HEADERS = True
    settings.TRUSTED_PROXIES = ["127.0.0.1/32", "::1/128"]
    settings.REVIEWS_FORM_MIN_SECONDS = 0


def reader(new_page, name: str, address: str):
    return new_page(name, extra_http_headers={"X-Forwarded-For": address})


def fill_and_send(
    page, *, name: str, email: str, body_label: str, body: str, button: str, tick: str = ""
):
    form = page.locator("#review-form")
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_label("Email", exact=True).fill(email)
    form.get_by_label(body_label).fill(body)
    if tick:
        form.get_by_label(tick).check()
    form.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def approve_in_queue(moderator, row_text: str, *, not_text: str | None = None) -> None:
    moderator.goto("/admin/reviews/review/?status__exact=pending")
    moderator.locator("#result_list tbody tr").filter(
        has_text=row_text, has_not_text=not_text
    ).get_by_role("button", name="Approve").click()
    moderator.wait_for_load_state()
    assert "approved" in moderator.locator(".messagelist").inner_text()


def to_leyla(mailoutbox) -> list:
    return [mail for mail in mailoutbox if mail.to == ["leyla@example.org"]]


def test_a_reply_an_edit_and_three_reports(
    new_page, story, roles_users, networks, run_tasks, mailoutbox
):
    leyla = reader(new_page, "leyla", "198.51.100.11")
    leyla.goto(f"/articles/{SLUG}/")
    leyla.get_by_role("link", name="Write a review").click()
    fill_and_send(
        leyla,
        name="Leyla Mammadova",
        email="leyla@example.org",
        body_label="Your review",
        body=FIRST_TEXT,
        button="Send review",
        tick="Email me when someone replies to my review",
    )
    assert "will appear once a moderator approves it" in leyla.get_by_role("status").inner_text()
    edit_link = leyla.get_by_role("link", name="Change or withdraw").get_attribute("href")
    assert "/edit/" in edit_link
    # She confirms her address from the email, in the browser (a CSRF-checked button).
    run_tasks()
    (confirmation,) = to_leyla(mailoutbox)
    # Her edit link too (signed again when the email was made: the same review, its own time).
    assert edit_link.split("/edit/")[0] + "/edit/" in confirmation.body
    leyla.goto(
        re.search(r"https?://[^/\s]+(/reviews/follow-up/confirm/\S+/)", confirmation.body)[1]
    )
    leyla.get_by_role("button", name="Yes, email me").click()
    leyla.wait_for_load_state()
    assert "your address is confirmed" in leyla.locator("h1").inner_text()

    moderator = new_page("moderator", extra_http_headers={"X-Forwarded-For": "192.0.2.1"})
    log_in(moderator, "mona")
    approve_in_queue(moderator, "Leyla Mammadova")

    # Giorgi replies from the story page.
    giorgi = reader(new_page, "giorgi", "198.51.100.12")
    giorgi.goto(f"/articles/{SLUG}/")
    assert FIRST_TEXT in giorgi.locator("#reviews").inner_text()
    giorgi.get_by_role("link", name="Reply to the review by Leyla Mammadova").click()
    giorgi.wait_for_url(f"**/articles/{SLUG}/review/*/reply/")
    assert FIRST_TEXT in giorgi.locator(".review-quoted").inner_text()
    assert blocking_violations(giorgi) == []
    fill_and_send(
        giorgi,
        name="Giorgi Beridze",
        email="giorgi@example.org",
        body_label="Your reply",
        body=REPLY_TEXT,
        button="Send reply",
    )
    assert "your reply will appear" in giorgi.get_by_role("status").inner_text()

    # Within the window (the reply still waits), Leyla changes her review. She is told first
    # that it goes back to the moderators.
    leyla.goto(edit_link)
    assert blocking_violations(leyla) == []
    assert "A published review goes back to the moderators when you change it" in leyla.content()
    leyla.get_by_label("Your review", exact=True).fill(EDITED_TEXT)
    leyla.get_by_role("button", name="Save changes").click()
    leyla.wait_for_load_state()
    assert "will be shown again once a moderator approves it" in (
        leyla.get_by_role("status").inner_text()
    )
    # Off the shared story page while it waits: neither text is public.
    leyla.goto(f"/articles/{SLUG}/")
    assert leyla.locator("#reviews-heading").inner_text() == "0 reviews"
    assert EDITED_TEXT not in leyla.content() and FIRST_TEXT not in leyla.content()

    # The moderator sees why it is back, and approves the new text.
    moderator.goto("/admin/reviews/review/?status__exact=pending")
    row = moderator.locator("#result_list tbody tr").filter(has_not_text="Reply to #")
    assert "edited after approval" in row.inner_text()
    approve_in_queue(moderator, "Leyla Mammadova", not_text="Reply to #")
    leyla.goto(f"/articles/{SLUG}/")
    first = leyla.locator("#reviews .review").first
    assert EDITED_TEXT in first.inner_text()
    assert first.locator(".review-edited").inner_text() == "edited"
    assert FIRST_TEXT not in leyla.locator("#reviews").inner_text()

    # The moderator approves the reply: it shows under the review, and Leyla is told.
    approve_in_queue(moderator, "Reply to #")
    run_tasks()
    assert "Giorgi Beridze replied to your review" in to_leyla(mailoutbox)[-1].body
    stranger = reader(new_page, "stranger", "198.51.100.13")
    stranger.goto(f"/articles/{SLUG}/")
    replies = stranger.locator("#reviews .review").first.locator(".reader-reply")
    assert replies.count() == 1
    assert REPLY_TEXT in replies.inner_text()
    assert blocking_violations(stranger) == []
    # With a reply under it, Leyla's edit link no longer works.
    assert leyla.goto(edit_link).status == 409

    # Three readers on three networks report the review.
    for number, address in enumerate(("203.0.113.21", "203.0.113.22", "203.0.113.23")):
        reporter = reader(new_page, f"reporter-{number}", address)
        reporter.goto(f"/articles/{SLUG}/")
        reporter.get_by_role("link", name="Report the review by Leyla Mammadova").click()
        if number == 0:
            assert blocking_violations(reporter) == []
        reporter.get_by_label("Abusive or hateful").check()
        reporter.get_by_role("button", name="Send report").click()
        reporter.wait_for_load_state()
        assert "moderators will look at it" in reporter.get_by_role("status").inner_text()

    review = Review.objects.get(parent=None)
    assert review.status == Review.Status.PENDING
    assert review.reasons[-1] == "reported 3×"
    # Gone from the shared page at once, reply and all.
    stranger.goto(f"/articles/{SLUG}/")
    assert stranger.locator("#reviews-heading").inner_text() == "0 reviews"
    assert EDITED_TEXT not in stranger.content()
    assert REPLY_TEXT not in stranger.content()

    # The moderator finds it in the queue's "Reported" view, with the reason.
    moderator.goto("/admin/reviews/review/?reported=open")
    row = moderator.locator("#result_list tbody tr")
    assert row.count() == 1
    assert "reported 3×" in row.inner_text()
    assert "Reported 3×" in row.inner_text() and "Abusive or hateful (3)" in row.inner_text()
