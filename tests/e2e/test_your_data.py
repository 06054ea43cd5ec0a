"""A reader sees, downloads and erases what the newsroom holds for their address.

Mail goes through a real SMTP server the test starts (aiosmtpd) and is read from there, as a
mail program would; its link is opened in the browser. Afterwards no table holds the address,
and the audit log names the reader by a keyed hash only.
"""

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Region, Rubric
from audit.models import AuditEntry
from datarights.inventory import address_hash
from newsletters.models import Subscriber
from reviews.models import Review
from reviews.services import client_fingerprint
from tests.datarights.scan import rows_holding
from tests.e2e.conftest import blocking_violations
from tests.newsletters.smtp import SMTPServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

READER = "nare@example.org"


@pytest.fixture
def smtp_server(settings, live_server) -> Iterator[SMTPServer]:
    server = SMTPServer().start()
    for name, value in server.settings().items():
        setattr(settings, name, value)
    # The email's link leads to the site under test.
    settings.SITE_URL = live_server.url
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def reader(transactional_db) -> dict:
    """A reader with a published review of a story and a confirmed newsletter subscription."""
    from tests.e2e.conftest import ensure_roles

    ensure_roles()
    region = Region.objects.create(name="South Caucasus", slug="south-caucasus", position=1)
    story = Article.objects.create(
        title="Georgia's ports compete for cargo",
        slug="georgia-ports",
        teaser="Three ports, one corridor.",
        body="<p>Text.</p>",
        region=region,
        rubric=Rubric.objects.create(name="Analysis", slug="analysis"),
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(hours=2),
    )
    review = Review.objects.create(
        article=story,
        name="Nare Hakobyan",
        email=READER,
        body="The part about Poti was new to me.",
        status=Review.Status.APPROVED,
        fingerprint=client_fingerprint("198.51.100.4"),
        user_agent="Mozilla/5.0 (Nare's phone)",
    )
    subscriber = Subscriber.objects.create(
        email=READER,
        status=Subscriber.Status.CONFIRMED,
        confirmed_at=timezone.now() - timedelta(days=2),
        everything=False,
    )
    subscriber.regions.set([region])
    return {"story": story, "review": review}


def test_a_reader_sees_downloads_and_erases_their_data(
    new_page, reader, smtp_server, run_tasks, tmp_path
):
    run_tasks()  # what creating the story queued (webhooks), out of the way
    browser = new_page("reader")
    browser.goto(reader["story"].get_absolute_url())
    assert "Nare Hakobyan" in browser.locator("main").inner_text()
    browser.locator(".site-footer").get_by_role("link", name="Your data").click()

    browser.get_by_label("Your email address").fill(READER)
    browser.get_by_role("button", name="Email me the link").click()
    browser.get_by_role("heading", name="Check your inbox").wait_for()
    assert "If we hold anything for this address, we have sent a link" in browser.content()
    assert blocking_violations(browser) == []

    run_tasks()
    [email] = smtp_server.to(READER)
    browser.goto(email.link_to("/your-data/"))
    browser.get_by_role("heading", name="Your data", exact=True).wait_for()
    main = browser.locator("main").inner_text()
    assert "The part about Poti was new to me." in main
    assert "Mozilla/5.0 (Nare's phone)" in main
    assert "South Caucasus" in main
    assert blocking_violations(browser) == []

    with browser.expect_download() as download_info:
        browser.get_by_role("link", name="Download it (JSON)").first.click()
    saved = tmp_path / "data.json"
    download_info.value.save_as(saved)
    data = json.loads(saved.read_text())
    assert data["address"] == READER
    [review] = data["reviews"]
    assert review["text"] == "The part about Poti was new to me."
    assert review["story"] == "Georgia's ports compete for cargo"
    assert review["email"] == READER and review["name"] == "Nare Hakobyan"
    assert data["newsletter_subscription"]["regions"] == ["South Caucasus"]

    browser.get_by_role("link", name="Erase it…").first.click()
    browser.get_by_role("heading", name="Erase your data?").wait_for()
    assert blocking_violations(browser) == []
    assert Review.objects.filter(email=READER).exists(), "asking changes nothing"
    browser.get_by_role("button", name="Yes, erase everything").click()
    browser.get_by_role("heading", name="Your data is erased").wait_for()
    assert blocking_violations(browser) == []

    run_tasks()
    assert rows_holding(READER) == []
    assert rows_holding("Nare Hakobyan") == []
    review = Review.objects.get(pk=reader["review"].pk)
    assert (review.name, review.body) == ("Anonymous reader", "The part about Poti was new to me.")
    erased = AuditEntry.objects.get(action=AuditEntry.Action.DATA_ERASED)
    assert erased.details["address"] == address_hash(READER)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DATA_REQUESTED).count() == 1
    # The story page, cached before, shows the review without the name at once.
    browser.goto(reader["story"].get_absolute_url())
    story = browser.locator("main").inner_text()
    assert "Nare Hakobyan" not in story and "Anonymous reader" in story
    # The link is spent.
    browser.goto(email.link_to("/your-data/"))
    browser.get_by_role("heading", name="This link no longer works").wait_for()
