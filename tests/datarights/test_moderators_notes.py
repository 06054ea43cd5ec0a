"""What a reader is told of moderation: the facts about them, not the moderators' own notes.

A block is given as its dates (the reader learns it exists and until when), never with the
note a moderator wrote for the others; a review stored as spam because of a block says
"blocked reviewer", not why. The rules' reasons about the reader's own text and record are
given as written; the words on the editors' lists and which spam check caught a review are
given as a category; a reason nobody has worded for readers yet is withheld.
"""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review, ReviewerBlock
from reviews.moderation import Moderator, Signals, edited_after_approval
from reviews.personal_data import reader_reasons
from reviews.services import client_fingerprint
from reviews.tools import review_redact
from tests.datarights.conftest import READER
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

NOTE = "Same troll as the Telegram-channel flood; Giorgi thinks it is the ex-press officer"


@pytest.fixture
def blocked(reader_data, make_review, moderator) -> dict:
    """A block against the reader, and a review they sent while it was on, as the rules keep it."""
    block = ReviewerBlock.objects.create(
        email=READER,
        note=NOTE,
        expires_at=timezone.now() + timedelta(days=7),
        created_by=moderator,
        review=reader_data["published"],
    )
    attempt = Review(
        article=reader_data["published"].article,
        name="Nino Beridze",
        email=READER,
        body="Let me in again.",
        fingerprint=client_fingerprint("198.51.100.1"),
    )
    decision = Moderator().decide(attempt)
    assert decision.status == Review.Status.SPAM and NOTE in decision.reasons[0]
    spam = make_review(body=attempt.body, status=decision.status, reasons=decision.reasons)
    return {"block": block, "spam": spam}


def test_the_page_says_a_block_exists_and_until_when_but_not_the_moderators_note(
    blocked, data_link, client
):
    html = client.get(data_link()).content.decode()

    assert "Our moderators blocked this address from sending reviews until" in html
    assert "noted by moderators for one another and is not given here" in html
    assert "Telegram-channel" not in html and "Giorgi" not in html
    assert "blocked reviewer" in html


def test_the_download_gives_the_block_and_the_spam_reason_without_the_note(
    blocked, data_link, client
):
    data = json.loads(client.get(f"{data_link()}download/").content)

    (block,) = data["review_blocks"]
    assert set(block) == {"blocked_at", "blocked_until", "active"}
    assert block["active"] is True
    by_id = {review["id"]: review for review in data["reviews"]}
    assert by_id[blocked["spam"].pk]["moderation_notes"] == ["blocked reviewer"]
    assert by_id[blocked["spam"].pk]["status"] == "Spam"
    assert "Telegram-channel" not in json.dumps(data)


def test_the_moderators_page_shows_the_reader_what_the_reader_gets(blocked, moderator):
    page = reverse("admin:datarights_readerdata_changelist")
    html = logged_in(moderator).post(page, {"email": READER, "step": "look"}).content.decode()

    assert "Our moderators blocked this address" in html
    assert "Telegram-channel" not in html


def test_no_moderators_name_reaches_the_reader(reader_data, moderator, data_link, client):
    review_redact(review=reader_data["published"], passage="border talks", by=moderator)
    moderator.first_name, moderator.last_name = "Mona", "Kaplan"
    moderator.save()

    path = data_link()
    download = client.get(f"{path}download/").content.decode()
    page = client.get(path).content.decode()

    assert "A careful piece about the border talks." in download, "the earlier text is theirs"
    for text in (download, page):
        assert moderator.username not in text
        assert "Kaplan" not in text


@pytest.mark.parametrize(
    ("stored", "given"),
    [
        # About the reader's own text and record: as written.
        (["new reviewer"], ["new reviewer"]),
        (["2 links", "known reviewer: 3 approved"], ["2 links", "known reviewer: 3 approved"]),
        (["trusted reviewer: 4 approved"], ["trusted reviewer: 4 approved"]),
        (
            ["Link with look-alike letters: gооgle.com (Cyrillic and Latin)"],
            ["Link with look-alike letters: gооgle.com (Cyrillic and Latin)"],
        ),
        (["edited by its author", "reported 3×"], ["edited by its author", "reported 3×"]),
        (["edited after approval", "new reviewer"], ["edited after approval", "new reviewer"]),
        # What the newsroom keeps internal: a category.
        ([f"blocked reviewer: {NOTE}"], ["blocked reviewer"]),
        (["blocked word: casino"], ["a word the newsroom does not publish"]),
        (["held word: bitcoin"], ["a word a moderator checks"]),
        # A word that looks like another reason's text is still a word on the list.
        (["blocked word: link"], ["a word the newsroom does not publish"]),
        (["held word: 2 links"], ["a word a moderator checks"]),
        (
            ["honeypot field filled in", "sent 2 s after the form was shown"],
            ["an automatic spam check"],
        ),
        # Nobody has worded it for readers yet: withheld.
        (["moderator Mona: looks like a sock puppet"], ["a note for the moderators (not shown)"]),
        ([], []),
    ],
)
def test_each_reason_is_given_as_written_as_a_category_or_withheld(stored, given):
    assert reader_reasons(stored) == given


def test_the_rules_reasons_are_recognised_as_the_rules_write_them(reader_data, rules, make_review):
    """The reasons the moderation rules really store, not a copy of their wording."""
    rules.block_words = "casino"
    rules.hold_words = "bitcoin"
    rules.link_threshold = 2
    rules.save()
    text = "casino bitcoin https://a.example https://b.example"
    attempt = Review(article=reader_data["published"].article, name="N", email=READER, body=text)
    moderator = Moderator()

    signals = Signals(honeypot_filled=True, seconds_to_send=1.0, too_fast=True)
    spam = moderator.spam_reasons(attempt, signals)
    held = moderator.hold_reasons(attempt)

    assert reader_reasons(spam) == [
        "a word the newsroom does not publish",
        "an automatic spam check",
    ]
    assert reader_reasons(held) == ["2 links", "a word a moderator checks"]
    assert reader_reasons([edited_after_approval()]) == ["edited after approval"]


def test_the_block_note_never_reaches_a_page_or_file_of_the_link(blocked, data_link):
    path = data_link()
    browser = Client()

    for page in (path, f"{path}download/", f"{path}erase/"):
        assert NOTE not in browser.get(page).content.decode(), page
