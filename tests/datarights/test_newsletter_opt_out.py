"""The newsletter's "never send anything to this address again" in "Your data".

It is listed (the page and the file), and erasure keeps it: a hash of the address is how the
reader's objection is honoured. An address for which it is all we hold gets no link: someone
typing the address in must not make us write to whoever asked never to be written to.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from datarights.models import DataRequest
from newsletters.models import OptOut, Subscriber
from tests.datarights.conftest import READER, ask
from tests.datarights.scan import rows_holding
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def opted_out(reader_data) -> OptOut:
    return OptOut.objects.create(email_hash=OptOut.hash_email(READER))


def test_the_page_and_the_download_list_the_opt_out(opted_out, data_link, client):
    path = data_link()

    html = client.get(path).content.decode()
    data = json.loads(client.get(f"{path}download/").content)

    assert "this address asked never to be sent a newsletter confirmation again" in html
    assert opted_out.email_hash in html
    assert data["newsletter_opt_out"]["address_hash"] == OptOut.hash_email(READER)
    assert data["newsletter_opt_out"]["since"]
    assert "newsletter confirmation again stays" in html, "what erasing would do"


def test_without_an_opt_out_the_download_says_none(reader_data, data_link, client):
    data = json.loads(client.get(f"{data_link()}download/").content)

    assert data["newsletter_opt_out"] is None


def test_erasure_keeps_the_opt_out_and_says_so(opted_out, data_link):
    path = data_link()
    assert "newsletter confirmation again stays" in Client().get(f"{path}erase/").content.decode()

    page = Client().post(f"{path}erase/").content.decode()

    assert "never to be sent a newsletter confirmation again stays" in page
    assert OptOut.covers(READER)
    assert not Subscriber.objects.filter(email=READER).exists()
    assert rows_holding(READER) == [], "a hash, not the address"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DATA_ERASED)
    assert entry.details["newsletter_opt_outs_kept"] == 1


def test_an_address_with_only_an_opt_out_gets_no_email(db, run_tasks, mailoutbox):
    lone = "only-said-no@example.org"
    OptOut.objects.create(email_hash=OptOut.hash_email(lone))

    answer = ask(Client(), lone)
    run_tasks()

    assert answer.status_code == 302, "the same answer as for any address"
    assert mailoutbox == []
    assert not DataRequest.objects.exists(), "the address is forgotten at once"


def test_a_moderator_sees_an_opt_out_even_when_it_is_all_we_hold(db, moderator):
    lone = "only-said-no@example.org"
    OptOut.objects.create(email_hash=OptOut.hash_email(lone))
    page = reverse("admin:datarights_readerdata_changelist")

    html = logged_in(moderator).post(page, {"email": lone, "step": "look"}).content.decode()

    assert "this address asked never to be sent a newsletter confirmation again" in html
    assert "Nothing is held for this address." not in html
