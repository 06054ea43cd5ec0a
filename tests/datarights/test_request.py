""" "Your data": a reader asks by email; every address gets the same answer, only ours get mail.

The request stores the address and queues one task naming the request; the worker looks up
what is held and emails the link. So a known and an unknown address get the same status,
headers, page and database work, and only a known one gets mail.
"""

import re
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEntry
from datarights import limits
from datarights.inventory import address_hash
from datarights.models import DataRequest
from tests.datarights.conftest import READER, REQUEST_URL, STRANGER, ask, link_in
from tests.helpers import SITE

pytestmark = pytest.mark.django_db

SENT_URL = reverse("datarights:sent")


def headers(response) -> dict:
    """Return the response's headers but the time it was made (``Expires`` is "now")."""
    return {name: value for name, value in response.headers.items() if name != "Expires"}


def test_the_form_page_is_private_and_never_cached(client):
    page = client.get(REQUEST_URL)

    assert page.status_code == 200
    assert "Your data" in page.content.decode()
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in page.content.decode()


def test_known_and_unknown_addresses_get_the_same_answer(reader_data):
    known, unknown = Client(), Client()

    answers = [ask(known, READER), ask(unknown, STRANGER)]

    assert [answer.status_code for answer in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"] == SENT_URL
    assert headers(answers[0]) == headers(answers[1])
    pages = [client.get(SENT_URL) for client in (known, unknown)]
    assert [page.status_code for page in pages] == [200, 200]
    assert headers(pages[0]) == headers(pages[1])
    assert pages[0].content == pages[1].content
    assert "If we hold anything for this address, we have sent a link" in pages[0].content.decode()


def test_the_request_does_the_same_database_work_for_known_and_unknown(reader_data):
    ask(Client(), "warm-up@example.org")
    work = {}
    for email in (READER, STRANGER):
        with CaptureQueriesContext(connection) as queries:
            ask(Client(), email)
        # The statements, their values left out (ids, times, savepoints and the address differ).
        work[email] = [
            re.sub(r"'[^']*'|\b\d+\b|\"s\d+_x\d+\"", "?", query["sql"]) for query in queries
        ]

    assert work[READER] == work[STRANGER]
    looked_at = " ".join(work[READER])
    for table in ("reviews_review", "newsletters_subscriber"):
        assert table not in looked_at, "what is held is the worker's to find"


def test_only_an_address_we_hold_something_for_gets_the_link(reader_data, run_tasks, mailoutbox):
    run_tasks()  # what making the story and the reviews queued
    ask(Client(), READER)
    ask(Client(), STRANGER)

    assert mailoutbox == [], "nothing is sent during the request"
    tasks = run_tasks()
    assert [task.task_path for task in tasks] == ["datarights.tasks.send_data_link"] * 2
    assert [task.return_value for task in tasks] == [True, False]
    (message,) = mailoutbox
    assert message.to == [READER]
    assert f"{SITE}/your-data/" in message.body, "built on the configured origin"
    assert "60 minutes" in message.body
    assert "border talks" not in message.body, "the email holds the link, not the data"
    # The stranger's address is forgotten at once; the reader's waits for its hour.
    assert list(DataRequest.objects.values_list("email", flat=True)) == [READER]


def test_the_task_queue_never_holds_the_address(reader_data, run_tasks):
    run_tasks()
    ask(Client(), READER)

    (task,) = DBTaskResult.objects.filter(task_path="datarights.tasks.send_data_link")
    assert READER not in str(task.args_kwargs)
    run_tasks()
    task.refresh_from_db()
    assert READER not in f"{task.args_kwargs} {task.return_value}"


def test_a_link_sent_is_audited_with_a_keyed_hash_of_the_address(reader_data, run_tasks):
    ask(Client(), READER)
    run_tasks()

    entry = AuditEntry.objects.get(action=AuditEntry.Action.DATA_REQUESTED)
    assert entry.actor is None
    assert entry.details["address"] == address_hash(READER)
    assert entry.details["reviews"] == 2 and entry.details["newsletter_subscriptions"] == 1
    assert READER not in f"{entry.object_repr} {entry.details}"
    assert address_hash(READER) != address_hash(STRANGER)


def test_the_address_matches_whatever_its_case_and_spaces(reader_data, run_tasks, mailoutbox):
    ask(Client(), "  Nino@EXAMPLE.org ")
    run_tasks()

    assert [message.to for message in mailoutbox] == [[READER]]


def test_a_malformed_address_comes_back_with_what_was_typed_and_nothing_is_stored(client):
    answer = ask(client, "nino at example")

    assert answer.status_code == 400
    page = answer.content.decode()
    assert "does not look like an email address" in page
    assert 'value="nino at example"' in page
    assert 'aria-invalid="true"' in page
    assert not DataRequest.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.parametrize(
    "hostile", ["", "a" * 300 + "@example.org", "nino@example.org\x00", "<script>@x.org"]
)
def test_hostile_input_gets_the_form_again_never_an_error(client, hostile):
    answer = ask(client, hostile)

    assert answer.status_code == 400
    assert not DataRequest.objects.exists()


def test_one_client_may_ask_a_few_times_then_is_told_when_to_try_again(settings, reader_data):
    settings.DATA_REQUEST_RATE_LIMIT_COUNT = 2
    client = Client()
    assert [ask(client, f"r{n}@example.org").status_code for n in range(2)] == [302, 302]

    refused = ask(client, READER)

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    page = refused.content.decode()
    assert "Please try again in" in page
    assert f'value="{READER}"' in page, "what was typed is kept"
    assert DataRequest.objects.count() == 2
    # Another client is not held up.
    assert ask(Client(), READER, ip="198.51.100.99").status_code == 302


def test_one_address_gets_one_email_however_many_clients_ask(reader_data, run_tasks, mailoutbox):
    run_tasks()
    answers = [ask(Client(), READER, ip=f"198.51.100.{number + 1}") for number in range(4)]

    tasks = run_tasks()

    assert [task.return_value for task in tasks] == [True, False, False, False]
    assert len(mailoutbox) == 1
    assert DataRequest.objects.count() == 1, "refused requests forget their address"
    # Every asker was told the same, the refused ones included.
    assert {answer.status_code for answer in answers} == {302}
    assert len({tuple(sorted(headers(answer).items())) for answer in answers}) == 1


def test_someone_elses_requests_leave_the_owner_a_link_that_works(
    reader_data, run_tasks, mailoutbox
):
    # Someone asks for the reader's data: the link goes to the reader, who asks too, later.
    ask(Client(), READER, ip="203.0.113.66")
    run_tasks()
    ask(Client(), READER, ip="198.51.100.7")
    run_tasks()

    (message,) = mailoutbox
    page = Client().get(link_in(message))
    assert page.status_code == 200, "the link of the email the owner has still works"
    assert "No email after a few minutes?" in Client().get(SENT_URL).content.decode()
    assert "at most one such email every 10 minutes" in Client().get(SENT_URL).content.decode()


def test_an_address_gets_a_new_link_once_the_interval_is_over(
    settings, reader_data, run_tasks, mailoutbox
):
    settings.DATA_REQUEST_EMAIL_INTERVAL = 1
    ask(Client(), READER)
    run_tasks()
    ask(Client(), READER, ip="198.51.100.8")
    run_tasks()
    assert len(mailoutbox) == 1

    time.sleep(1.1)
    ask(Client(), READER, ip="198.51.100.9")
    run_tasks()

    assert len(mailoutbox) == 2


def test_the_interval_holds_when_the_cache_forgot_it(reader_data, run_tasks, mailoutbox):
    ask(Client(), READER)
    run_tasks()
    cache.clear()  # Redis restarted, or evicted the key

    ask(Client(), READER, ip="198.51.100.10")
    run_tasks()

    assert len(mailoutbox) == 1, "the request's row says a link went out minutes ago"


def test_two_workers_taking_requests_of_one_address_at_once_send_one_email(db):
    # Neither request's row says "sent" yet: the shared cache lets one through.
    now = timezone.now()

    assert limits.address_may_get_email(READER, now=now) is True
    assert limits.address_may_get_email(READER, now=now) is False
    assert limits.address_may_get_email(STRANGER, now=now) is True


def test_the_emailed_link_opens_the_readers_data(data_link, client):
    path = data_link()

    page = client.get(path)

    assert page.status_code == 200
    html = page.content.decode()
    assert "A careful piece about the border talks." in html
    assert "Second thoughts." in html
    assert "Post-Soviet region" in html, "the newsletter's choices"


def test_the_footer_links_your_data_next_to_privacy_and_the_privacy_page_too(client):
    footer = client.get("/").content.decode().split('<footer class="site-footer">', 1)[1]
    links = re.findall(r'<a href="([^"]+)"', footer)

    privacy = links.index("/pages/privacy/")
    assert links[privacy + 1] == REQUEST_URL
    privacy_page = client.get("/pages/privacy/").content.decode()
    assert 'href="/your-data/"' in privacy_page.split('<footer class="site-footer">')[0]


def test_a_link_is_valid_for_the_one_address_it_was_sent_to(data_link, client, mailoutbox):
    path = data_link()
    assert link_in(mailoutbox[0]) == path
    assert READER in client.get(path).content.decode()
    assert STRANGER not in client.get(path).content.decode()
