"""A reader's newsletter, from the footer of a cached page to one-click unsubscribe.

Mail goes through a real SMTP server the test starts (aiosmtpd) and is read from there, as a
mail program would; its links are opened in the browser.
"""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Region, Rubric
from newsletters import sending
from newsletters.models import Send, Subscriber
from tests.e2e.conftest import blocking_violations
from tests.newsletters.smtp import SMTPServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp_server(settings, live_server) -> Iterator[SMTPServer]:
    server = SMTPServer().start()
    for name, value in server.settings().items():
        setattr(settings, name, value)
    # The emails' links lead to the site under test.
    settings.SITE_URL = live_server.url
    settings.NEWSLETTER_RATE = 0
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def newsroom(transactional_db) -> dict[str, Article]:
    caucasus = Region.objects.create(name="South Caucasus", slug="south-caucasus", position=1)
    asia = Region.objects.create(name="Central Asia", slug="central-asia", position=2)
    rubric = Rubric.objects.create(name="Analysis", slug="analysis")
    now = timezone.now()

    def story(title, slug, region, **fields):
        return Article.objects.create(
            title=title,
            slug=slug,
            teaser=f"The lede of {title}.",
            body="<p>Text.</p>",
            region=region,
            rubric=rubric,
            status=fields.pop("status", Article.Status.PUBLISHED),
            publish_at=fields.pop("publish_at", now - timedelta(hours=2)),
            **fields,
        )

    return {
        "ports": story("Georgia's ports compete for cargo", "georgia-ports", caucasus),
        "draft": story("An unfinished draft on Tbilisi", "tbilisi-draft", caucasus, status="draft"),
        "asia": story("Water before oil on the Amu Darya", "amu-darya", asia),
    }


def test_a_reader_subscribes_to_a_region_confirms_reads_a_digest_and_unsubscribes(
    new_page, newsroom, smtp_server, run_tasks
):
    reader = new_page("reader")
    reader.goto("/")
    footer = reader.locator(".site-footer form")
    footer.get_by_label("Email address").fill("nare@example.org")
    footer.get_by_label("Stories from").select_option(label="South Caucasus")
    footer.get_by_label("Daily").check()
    footer.get_by_role("button", name="Subscribe").click()
    reader.get_by_role("heading", name="Check your inbox").wait_for()
    assert blocking_violations(reader) == []

    run_tasks()
    [confirmation] = smtp_server.to("nare@example.org")
    assert "South Caucasus" not in confirmation.text
    reader.goto(confirmation.link_to("/newsletter/confirm/"))
    assert blocking_violations(reader) == []
    reader.get_by_role("button", name="Yes, subscribe me").click()
    reader.get_by_role("heading", name="Thank you: you are subscribed").wait_for()
    assert Subscriber.objects.get(email="nare@example.org").status == "confirmed"

    # A second reader, who chose everything and will use the link in the email.
    Subscriber.objects.create(
        email="omar@example.org",
        status="confirmed",
        confirmed_at=timezone.now() - timedelta(minutes=1),
        frequency="daily",
    )
    smtp_server.clear()
    now = timezone.now()
    sending.start(kind=Send.Kind.DAILY, edition=now.date(), window=(now - timedelta(days=1), now))
    run_tasks()

    [digest] = smtp_server.to("nare@example.org")
    for part in (digest.text, digest.html):
        assert "ports compete for cargo" in part
        assert "unfinished draft" not in part
        assert "Amu Darya" not in part
    [everything] = smtp_server.to("omar@example.org")
    assert "Amu Darya" in everything.text and "unfinished draft" not in everything.text

    # Nare's mail program unsubscribes with one click: a POST, no cookie, no page.
    one_click = digest.message["List-Unsubscribe"].strip().strip("<>")
    assert digest.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    mail_program = new_page("mail-program")
    answer = mail_program.request.post(one_click, form={"List-Unsubscribe": "One-Click"})
    assert answer.ok
    assert not Subscriber.objects.filter(email="nare@example.org").exists()

    # Omar opens the link in his email, and presses the button.
    omar = new_page("omar")
    omar.goto(everything.link_to("/newsletter/unsubscribe/"))
    assert blocking_violations(omar) == []
    omar.get_by_role("button", name="Unsubscribe").click()
    omar.get_by_role("heading", name="You are unsubscribed").wait_for()
    assert not Subscriber.objects.exists()


def test_a_bad_address_comes_back_with_everything_typed_kept_to_correct_and_send(
    new_page, newsroom, smtp_server
):
    reader = new_page("reader")
    reader.goto("/regions/south-caucasus/")
    box = reader.locator(".newsletter-box form")
    # Past the browser's own check, as an old browser or a typo the browser accepts would be.
    box.evaluate("form => { form.noValidate = true; }")
    box.get_by_label("Email address").fill("nare at example")
    box.get_by_role("button", name="Subscribe").click()

    field = reader.get_by_label("Your email address")
    field.wait_for()
    assert field.input_value() == "nare at example"
    assert field.get_attribute("aria-invalid") == "true"
    assert reader.get_by_label("South Caucasus").is_checked()
    assert "does not look like an email address" in reader.locator("main").inner_text()
    assert blocking_violations(reader) == []
    assert not Subscriber.objects.exists()

    # Corrected on the sign-up page, whose own form carries a CSRF token.
    field.fill("nare@example.org")
    reader.locator("main").get_by_role("button", name="Subscribe").click()
    reader.get_by_role("heading", name="Check your inbox").wait_for()
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "nare@example.org"
    assert list(subscriber.regions.values_list("slug", flat=True)) == ["south-caucasus"]
