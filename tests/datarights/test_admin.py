"""*Readers' data* in the admin: moderators look up, download and erase; nobody else may."""

import json

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from datarights.inventory import address_hash
from newsletters.models import Subscriber
from reviews.models import Review
from tests.datarights.conftest import READER
from tests.datarights.scan import rows_holding
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

PAGE = reverse("admin:datarights_readerdata_changelist")


def step(client, name: str, email: str = READER):
    return client.post(PAGE, {"email": email, "step": name})


def test_a_moderator_finds_the_page_on_the_admin_index(moderator):
    index = logged_in(moderator).get(reverse("admin:index")).content.decode()

    assert f'href="{PAGE}"' in index
    assert "Readers&#x27; data" in index or "Readers' data" in index


def test_anonymous_visitors_are_sent_to_the_login(client, reader_data):
    assert client.get(PAGE)["Location"].startswith(reverse("admin:login"))
    assert step(client, "erase")["Location"].startswith(reverse("admin:login"))
    assert Review.objects.filter(email=READER).count() == 2


@pytest.mark.parametrize("who", ["author_user", "editor"])
def test_staff_without_the_permission_get_403_and_change_nothing(request, who, reader_data):
    staff = logged_in(request.getfixturevalue(who))

    assert staff.get(PAGE).status_code == 403
    for name in ("look", "download", "confirm", "erase"):
        assert step(staff, name).status_code == 403
    assert Review.objects.filter(email=READER).count() == 2
    assert not AuditEntry.objects.filter(action__startswith="data_").exists()
    assert f'href="{PAGE}"' not in staff.get(reverse("admin:index")).content.decode()


def test_a_moderator_looks_up_an_address_and_the_look_up_is_audited(moderator, reader_data):
    client = logged_in(moderator)
    assert client.get(PAGE).status_code == 200

    page = step(client, "look", " NINO@example.org")

    assert page.status_code == 200
    html = page.content.decode()
    assert "A careful piece about the border talks." in html and "Second thoughts." in html
    assert f"reader {address_hash(READER)[:12]}" in html
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DATA_LOOKED_UP)
    assert entry.actor == moderator and entry.details["by"] == "moderator"
    assert entry.details["address"] == address_hash(READER)
    assert entry.details["reviews"] == 2
    assert READER not in f"{entry.object_repr} {entry.details}"


def test_a_bad_address_comes_back_with_a_message(moderator):
    page = step(logged_in(moderator), "look", "nino at example")

    assert page.status_code == 400
    assert "does not look like an email address" in page.content.decode()
    assert 'value="nino at example"' in page.content.decode()
    assert not AuditEntry.objects.exists()


def test_an_address_with_nothing_held_says_so(moderator, db):
    page = step(logged_in(moderator), "look", "nobody@example.org")

    assert "Nothing is held for this address." in page.content.decode()


def test_a_moderator_downloads_the_json_and_it_is_audited(moderator, reader_data):
    answer = step(logged_in(moderator), "download")

    assert answer["Content-Disposition"].startswith('attachment; filename="reader-data-')
    data = json.loads(answer.content)
    assert data["address"] == READER and len(data["reviews"]) == 2
    assert data["newsletter_subscription"]["status"] == "Confirmed"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DATA_EXPORTED)
    assert entry.actor == moderator and entry.details["address"] == address_hash(READER)


def test_a_moderator_erases_after_a_confirmation_step(moderator, reader_data):
    client = logged_in(moderator)

    confirm = step(client, "confirm")

    assert "Erase what we hold for nino@example.org?" in confirm.content.decode()
    assert Review.objects.filter(email=READER).count() == 2, "asking changes nothing"
    done = step(client, "erase")
    assert done.status_code == 200
    assert "is erased" in done.content.decode()
    assert not Review.objects.filter(email=READER).exists()
    assert not Subscriber.objects.filter(email=READER).exists()
    assert rows_holding(READER) == []
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DATA_ERASED)
    assert entry.actor == moderator and entry.details["by"] == "moderator"
    assert entry.details["address"] == address_hash(READER)
    assert (entry.details["reviews_anonymised"], entry.details["reviews_deleted"]) == (1, 1)


def test_no_address_ever_goes_into_an_address_bar(moderator, reader_data):
    client = logged_in(moderator)

    page = client.get(PAGE, {"email": READER, "step": "erase"})

    assert page.status_code == 200
    assert Review.objects.filter(email=READER).count() == 2
    assert 'method="post"' in page.content.decode()


def test_in_delete_mode_the_moderator_is_told_how_many_replies_of_others_go(
    settings, moderator, reader_data, make_review
):
    settings.NEWSROOM_ERASURE_REVIEWS = "delete"
    make_review(parent=reader_data["published"], name="Omar", email="omar@example.org", body="Hm.")
    client = logged_in(moderator)

    confirm = step(client, "confirm").content.decode()
    done = step(client, "erase").content.decode()

    assert "This deletes 1 reply by another reader." in confirm
    assert "Replies by other readers deleted with them: 1" in done
    assert not Review.objects.exists()
