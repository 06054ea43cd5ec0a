"""A day in the newsroom, end to end in Chromium, as issue #16 tells it.

An administrator invites an author; the author sets a password from the emailed link, sets
up an authenticator app and logs in with it; writes a story and sends it to review. The
editor is told, sends it back with a note; the author sees the note, revises, sends it again.
The editor schedules it with an "unpublish at" time; readers see it appear by itself, then a
correction the editor scheduled replaces the live text at its time, and at the end the story
disappears by itself. The worker's tasks are run by the test where a worker would run them.
"""

import base64
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from articles.models import Article, Author, Region, Rubric
from audit.models import AuditEntry
from tests.e2e.conftest import PASSWORD, ensure_roles, log_in
from tests.e2e.test_journeys import BODY_EDITOR, choose
from tests.e2e.test_team import invite_author, link_path, set_password
from tests.e2e.test_two_factor import set_up_app

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Grain corridor talks in Istanbul"
NOTE = "Say who brokered the talks, and cut the last paragraph."
AUTHOR_PASSWORD = "Ferry-to-Baku-at-dawn"


@pytest.fixture
def newsroom(transactional_db):
    ensure_roles()
    users = {}
    for username, role in (("ada", "Administrators"), ("edna", "Editors")):
        user = get_user_model().objects.create_user(
            username, f"{username}@newsroom.example", PASSWORD, is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
    Region.objects.create(name="Black Sea", slug="black-sea")
    Rubric.objects.create(name="Analysis", slug="analysis")
    return users


def local_fields(page, name: str, moment) -> None:
    """Fill the admin's split date and time inputs of *name* with *moment*, local time."""
    local = timezone.localtime(moment)
    page.locator(f"#id_{name}_0").fill(local.strftime("%Y-%m-%d"))
    page.locator(f"#id_{name}_1").fill(local.strftime("%H:%M:%S"))


def write_body(page, text: str) -> None:
    page.locator(BODY_EDITOR).click()
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def save(page, status: str | None = None) -> None:
    if status is not None:
        page.locator("#id_status").select_option(status)
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()


def fresh_code(secret_text: str, user) -> str:
    """Return the app's code for the current time step, or the next one if that was used.

    An authenticator app shows a new code every 30 seconds; a code is accepted once, so a
    person who just typed one waits for the next. The test asks for it instead of waiting.
    """
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    key = base64.b32decode(secret_text.replace(" ", ""))
    totp = TOTP(key)
    steps = max(totp.t(), device.last_t + 1) - totp.t()
    return f"{TOTP(key, drift=steps).token():06d}"


def wait_until(moment) -> None:
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()) + 0.2)


def eventually(check, seconds: float = 15) -> None:
    """Retry *check* until it passes: the page cache trusts its pages for a lease of seconds."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_a_story_from_invitation_to_expiry(new_page, newsroom, run_tasks, mailoutbox):
    # -- The administrator invites an author. ------------------------------------------------
    ada = new_page("administrator")
    log_in(ada, "ada")
    invite_author(ada, "nina", "Nina", "Avetisyan")
    run_tasks()
    (invitation,) = mailoutbox
    nina_user = get_user_model().objects.get(username="nina")
    Author.objects.create(name="Nina Avetisyan", slug="nina-avetisyan", user=nina_user)

    # -- The author sets her password, sets up two-factor and logs in with it. ---------------
    nina = new_page("author")
    nina.goto(link_path(invitation))
    set_password(nina, AUTHOR_PASSWORD)
    nina.wait_for_url("**/admin/login/")
    nina.get_by_label("Username").fill("nina")
    nina.get_by_label("Password").fill(AUTHOR_PASSWORD)
    nina.get_by_role("button", name="Log in").click()
    nina.wait_for_url("**/admin/")
    nina.get_by_role("link", name="Two-factor authentication").click()
    secret = set_up_app(nina)
    nina.get_by_role("link", name="I have kept them: continue").click()
    nina.get_by_role("button", name="Log out").click()
    nina.goto("/admin/login/?next=/admin/")
    nina.get_by_label("Username").fill("nina")
    nina.get_by_label("Password").fill(AUTHOR_PASSWORD)
    nina.get_by_role("button", name="Log in").click()
    nina.wait_for_url("**/admin/two-factor/verify/**")
    nina.get_by_label("Code").fill(fresh_code(secret, nina_user))
    nina.get_by_role("button", name="Log in").click()
    nina.wait_for_url("**/admin/")

    # -- She writes a story and sends it to review. ------------------------------------------
    nina.goto("/admin/articles/article/add/")
    nina.get_by_label("Title").fill(TITLE)
    nina.get_by_label("Teaser").fill("Ships wait at the Bosphorus while envoys talk.")
    write_body(nina, "The talks began on Monday.")
    choose(nina, "rubric", "Analysis")
    choose(nina, "region", "Black Sea")
    save(nina, "review")
    story = Article.objects.get(title=TITLE)
    page_url = story.get_absolute_url()
    assert story.status == Article.Status.REVIEW
    run_tasks()
    assert mailoutbox[-1].to == ["edna@newsroom.example"]
    assert TITLE in mailoutbox[-1].body or TITLE in mailoutbox[-1].subject

    # -- The editor sends it back with a note. -----------------------------------------------
    edna = new_page("editor")
    log_in(edna, "edna")
    edna.locator("#review-queue").get_by_role("link", name=TITLE).click()
    edna.get_by_role("link", name="send it back to the author with a note").click()
    edna.get_by_label("Note to the author").fill(NOTE)
    edna.locator("#send-back").get_by_role("button", name="Send back to the author").click()
    edna.wait_for_url("**/admin/")
    run_tasks()
    assert mailoutbox[-1].to == ["nina@newsroom.example"] and NOTE in mailoutbox[-1].body

    # -- The author sees the note, revises, sends it again. ----------------------------------
    nina.goto("/admin/")
    nina.locator("#my-stories").get_by_role("link", name=TITLE).click()
    expect(nina.locator("#sent-back-note")).to_contain_text(NOTE)
    nina.get_by_label("Teaser").fill("Turkey brokers talks while ships wait at the Bosphorus.")
    save(nina, "review")
    run_tasks()
    assert mailoutbox[-1].to == ["edna@newsroom.example"]

    # -- The editor schedules it, with an unpublish time. ------------------------------------
    edna.goto("/admin/")
    edna.locator("#review-queue").get_by_role("link", name=TITLE).click()
    goes_up = timezone.now() + timedelta(seconds=12)
    comes_down = goes_up + timedelta(seconds=40)
    local_fields(edna, "publish_at", goes_up)
    local_fields(edna, "unpublish_at", comes_down)
    save(edna, "published")
    story.refresh_from_db()
    assert story.is_scheduled() and story.unpublish_at is not None

    reader = new_page("reader")
    reader.goto("/")
    assert TITLE not in reader.content()
    assert reader.goto(page_url).status == 404

    # -- It appears by itself. ----------------------------------------------------------------
    wait_until(goes_up)

    def on_home():
        reader.goto("/")
        assert TITLE in reader.content()

    eventually(on_home)
    assert reader.goto(page_url).status == 200
    assert "The talks began on Monday." in reader.content()

    # -- A correction scheduled on the live story replaces the text at its time. -------------
    edna.goto(f"/admin/articles/article/{story.pk}/change/")
    write_body(edna, "The talks began on Tuesday.")
    edna.get_by_label("Add a correction").fill("We first wrote Monday.")
    correction_at = timezone.now() + timedelta(seconds=6)
    local_fields(edna, "schedule_edit_at", correction_at)
    save(edna)
    expect(edna.locator(".messagelist")).to_contain_text("scheduled for")
    reader.goto(page_url)
    assert "began on Monday" in reader.content() and "Tuesday" not in reader.content()

    wait_until(correction_at)
    run_tasks()

    def corrected():
        reader.goto(page_url)
        assert "The talks began on Tuesday." in reader.content()
        assert "We first wrote Monday." in reader.content()

    eventually(corrected)

    # -- And it disappears by itself. ---------------------------------------------------------
    wait_until(comes_down)

    def gone():
        reader.goto("/")
        assert TITLE not in reader.content()

    eventually(gone)
    assert reader.goto(page_url).status == 404
    assert TITLE not in reader.goto("/feed/").text()

    actions = set(AuditEntry.objects.filter(story=story).values_list("action", flat=True))
    assert {
        AuditEntry.Action.SENT_TO_REVIEW,
        AuditEntry.Action.SENT_BACK,
        AuditEntry.Action.SCHEDULED,
        AuditEntry.Action.EDIT_SCHEDULED,
        AuditEntry.Action.EDIT_APPLIED,
    } <= actions
