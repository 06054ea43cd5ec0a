"""Erasing a reader's data: a confirmation, then nothing left that holds their address.

Reviews are anonymised or deleted as NEWSROOM_ERASURE_REVIEWS says; the newsletter, the
opt-out, the requests, tasks and log lines that carry the address go; the audit log keeps
that it happened, under a keyed hash of the address.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from datarights.inventory import address_hash
from newsletters.models import Delivery, Send, Subscriber
from reviews.models import Review, ReviewEmailOptOut, ReviewerBlock, ReviewRevision
from reviews.services import review_moderate
from tests.datarights.conftest import READER
from tests.datarights.scan import rows_holding

pytestmark = pytest.mark.django_db

OTHER_READER = "omar@example.org"


@pytest.fixture
def everything(reader_data, make_review, moderator, client):
    """The reader's data wherever this software puts an address or a name, and others' too."""
    published, pending = reader_data["published"], reader_data["pending"]
    # A moderator's decisions name the reviewer in the audit log ("#12 Nino Beridze").
    review_moderate(
        reviews=Review.objects.filter(pk=published.pk), status=Review.Status.APPROVED, by=moderator
    )
    LogEntry.objects.create(
        user=moderator,
        content_type=ContentType.objects.get_for_model(Review),
        object_id=str(published.pk),
        object_repr=str(published),
        action_flag=CHANGE,
        change_message="[]",
    )
    # Another reader's reply to the published review, and one to the pending one (held after
    # reports, say): the conversation other people are part of.
    reply = make_review(
        parent=published, name="Omar", email=OTHER_READER, body="I disagree, politely."
    )
    held_reply = make_review(parent=pending, name="Omar", email=OTHER_READER, body="Indeed.")
    # The reader wrote their address into a text, and edited it before.
    chatty = make_review(body=f"Write to me at {READER.upper()} for the sources.")
    ReviewRevision.objects.create(
        review=chatty, kind=ReviewRevision.Kind.EDITED, body="My first draft, with my address."
    )
    rejected = make_review(status=Review.Status.REJECTED, body="Rude words.")
    ReviewEmailOptOut.objects.create(email_hash=ReviewEmailOptOut.hash_email(READER))
    # A mail server's refusal quoting the address, kept with the delivery.
    send = Send.objects.create(kind=Send.Kind.DAILY, edition=timezone.localdate())
    Delivery.objects.create(
        send=send,
        subscriber=reader_data["subscriber"],
        status=Delivery.Status.FAILED,
        error=f"SMTPRecipientsRefused: {{'{READER}': (550, b'mailbox full')}}",
    )
    # Someone typed the reader's address into the admin's "Forgotten your password?".
    client.post(reverse("admin_password_reset"), {"email": READER})
    return {
        **reader_data,
        "reply": reply,
        "held_reply": held_reply,
        "chatty": chatty,
        "rejected": rejected,
    }


def erase_through_the_link(data_link) -> tuple[Client, str]:
    """Open the emailed link, the confirmation page, and press the button, CSRF included."""
    path = data_link()
    browser = Client(enforce_csrf_checks=True)
    confirm = browser.get(f"{path}erase/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', confirm.content.decode())
    answer = browser.post(f"{path}erase/", {"csrfmiddlewaretoken": token.group(1)})
    assert answer.status_code == 200, answer.content.decode()[:500]
    return browser, answer.content.decode()


def test_the_confirmation_says_what_will_happen_and_changes_nothing(data_link, client):
    path = data_link()

    page = client.get(f"{path}erase/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Erase your data?" in html
    assert "“Anonymous reader”" in html
    assert "This cannot be undone." in html
    # Its button is a POST with Django's CSRF check, which refuses the "Origin: null" a
    # no-referrer page makes browsers send; same-origin keeps the token on this site.
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]
    assert Review.objects.filter(email=READER).count() == 2


def test_erasing_needs_the_forms_csrf_token(data_link):
    path = data_link()
    browser = Client(enforce_csrf_checks=True)
    browser.get(f"{path}erase/")

    refused = browser.post(f"{path}erase/")

    assert refused.status_code == 403
    assert Review.objects.filter(email=READER).count() == 2
    assert Subscriber.objects.filter(email=READER).exists()


def test_after_erasure_no_table_holds_the_address(everything, data_link, run_tasks):
    assert rows_holding(READER), "the fixture really stores the address"

    browser, page = erase_through_the_link(data_link)
    run_tasks()

    assert "Your data is erased" in page
    assert rows_holding(READER) == []
    assert rows_holding("Nino Beridze") == []


def test_anonymise_keeps_the_public_conversation_without_its_author(everything, data_link):
    erase_through_the_link(data_link)

    published = Review.objects.get(pk=everything["published"].pk)
    assert (published.name, published.email, published.fingerprint, published.user_agent) == (
        "Anonymous reader",
        "",
        "",
        "",
    )
    assert published.body == "A careful piece about the border talks."
    assert published.status == Review.Status.APPROVED
    # Held, but another reader answered it: kept, anonymised, with the answer.
    held = Review.objects.get(pk=everything["pending"].pk)
    assert held.name == "Anonymous reader" and held.status == Review.Status.PENDING
    assert Review.objects.filter(pk=everything["held_reply"].pk).exists()
    chatty = Review.objects.get(pk=everything["chatty"].pk)
    assert chatty.body == "Write to me at [address removed] for the sources."
    assert not ReviewRevision.objects.filter(review=chatty).exists()
    # Nobody else's part of the conversation is touched.
    reply = Review.objects.get(pk=everything["reply"].pk)
    assert (reply.name, reply.email, reply.parent_id) == ("Omar", OTHER_READER, published.pk)
    # A rejected review is part of no conversation: gone.
    assert not Review.objects.filter(pk=everything["rejected"].pk).exists()
    # The reader's "no more emails" stays, as a hash: it is how their objection is kept.
    assert ReviewEmailOptOut.covers(READER)
    assert not Subscriber.objects.filter(email=READER).exists()
    (delivery,) = Delivery.objects.all()
    assert delivery.subscriber_id is None and delivery.status == Delivery.Status.FAILED
    assert delivery.error == "SMTPRecipientsRefused: {'[address removed]': (550, b'mailbox full')}"


def test_the_audit_log_keeps_the_erasure_under_a_keyed_hash_only(everything, data_link):
    erase_through_the_link(data_link)

    entry = AuditEntry.objects.get(action=AuditEntry.Action.DATA_ERASED)
    assert entry.actor is None and entry.details["by"] == "reader"
    assert entry.details["address"] == address_hash(READER)
    assert entry.object_repr == f"reader {address_hash(READER)[:12]}"
    assert entry.details["mode"] == "anonymise"
    assert entry.details["reviews_anonymised"] == 3
    assert entry.details["reviews_deleted"] == 1
    assert entry.details["newsletter_subscriptions"] == 1
    assert entry.details["queued_tasks"] == 1, "the password reset typed with the address"
    # The moderator's decision is still there, about "#12 Anonymous reader".
    published = everything["published"].pk
    approval = AuditEntry.objects.get(action=AuditEntry.Action.REVIEW_APPROVED)
    assert approval.object_repr == f"#{published} Anonymous reader"
    history = LogEntry.objects.get(object_id=str(published))
    assert history.object_repr == "Review by Anonymous reader on “The Almaty talks”"


def test_delete_mode_deletes_every_review_with_the_replies_to_them(settings, everything, data_link):
    settings.NEWSROOM_ERASURE_REVIEWS = "delete"
    path = data_link()
    for page in (f"{path}erase/", path):  # the confirmation, and the data page's "If you erase it"
        html = Client().get(page).content.decode()
        assert "Replies that other readers wrote to them are deleted" in html
        assert "This deletes 2 replies by other readers." in html

    erased = Client().post(f"{path}erase/").content.decode()

    assert "2 replies by other readers were deleted with them." in erased

    assert not Review.objects.filter(name="Nino Beridze").exists()
    assert not Review.objects.filter(name="Anonymous reader").exists()
    assert not Review.objects.filter(email=OTHER_READER).exists(), "replies go with their review"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DATA_ERASED)
    assert entry.details["mode"] == "delete"
    assert entry.details["reviews_deleted"] == 4
    assert entry.details["replies_of_others_deleted"] == 2
    assert rows_holding(READER) == []


def test_an_active_block_stays_and_the_page_says_so(reader_data, data_link, moderator):
    now = timezone.now()
    block = ReviewerBlock.objects.create(
        email=READER, note="Spam wave", expires_at=now + timedelta(days=7), created_by=moderator
    )
    expired = ReviewerBlock.objects.create(
        email=READER, note="Old", expires_at=now - timedelta(days=1), created_by=moderator
    )
    path = data_link()
    html = Client().get(path).content.decode()
    assert "Our moderators blocked this address from sending reviews" in html
    assert "stays until it expires" in Client().get(f"{path}erase/").content.decode()

    page = Client().post(f"{path}erase/").content.decode()

    assert "The block our moderators made against this address stays" in page
    assert list(ReviewerBlock.objects.all()) == [block]
    assert not ReviewerBlock.objects.filter(pk=expired.pk).exists()
    assert rows_holding(READER) == [f"reviews.reviewerblock.email #{block.pk}"]


def test_the_story_page_forgets_the_name_at_once(
    reader_data, data_link, client, django_capture_on_commit_callbacks
):
    # Only the published review is left, so that nothing is deleted (deletions refresh the
    # story's page by themselves): the anonymising UPDATE has to.
    reader_data["pending"].delete()
    story_url = reader_data["published"].article.get_absolute_url()
    assert "Nino Beridze" in client.get(story_url).content.decode()  # now in the page cache

    path = data_link()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(f"{path}erase/")

    page = client.get(story_url).content.decode()
    assert "Nino Beridze" not in page
    assert "Anonymous reader" in page


def test_delete_mode_counts_one_reply_of_another_reader_and_never_the_readers_own(
    settings, reader_data, make_review, data_link
):
    settings.NEWSROOM_ERASURE_REVIEWS = "delete"
    published = reader_data["published"]
    make_review(parent=published, name="Omar", email=OTHER_READER, body="One answer.")
    make_review(parent=published, body="My own follow-up.")  # the reader's: theirs anyway
    path = data_link()

    confirm = Client().get(f"{path}erase/").content.decode()
    erased = Client().post(f"{path}erase/").content.decode()

    assert "This deletes 1 reply by another reader." in confirm
    assert "1 reply by another reader was deleted with them." in erased
    assert not Review.objects.exists()


def test_anonymise_mode_deletes_no_reply_of_another_reader_and_says_nothing_of_it(
    everything, data_link
):
    path = data_link()

    confirm = Client().get(f"{path}erase/").content.decode()
    erased = Client().post(f"{path}erase/").content.decode()

    assert "by other readers" not in confirm and "by another reader" not in confirm
    assert "by other readers" not in erased and "by another reader" not in erased
    assert Review.objects.filter(email=OTHER_READER).count() == 2
