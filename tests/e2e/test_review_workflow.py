"""The review workflow in a real browser: an author sends a story to review; an editor is
notified, sends it back with a note; the author sees the note, revises, sends it again; the
editor schedules it."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Region, Rubric
from audit.models import AuditEntry
from tests.e2e.conftest import BLOCKING, blocking_violations, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Water rights on the Amu Darya"
NOTE = "The second half repeats the first: cut it, and check the minister's quote."
# Set NEWSROOM_E2E_SHOTS to a folder to keep a picture of each step.
SHOTS = os.environ.get("NEWSROOM_E2E_SHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def draft(roles_users):
    arthur = roles_users["arthur"]
    article = Article.objects.create(
        title=TITLE,
        slug="water-rights-amu-darya",
        teaser="Five countries share one river.",
        body="<p>The talks resume in Tashkent.</p>",
        region=Region.objects.create(name="Central Asia", slug="central-asia"),
        rubric=Rubric.objects.create(name="Analysis", slug="analysis"),
        status=Article.Status.DRAFT,
        created_by=arthur,
    )
    article.authors.add(arthur.author_profile)
    return article


def workflow_violations(page) -> list[str]:
    """Return axe's serious and critical findings in the workflow's parts of a story page."""
    from axe_playwright_python.sync_playwright import Axe

    parts = [["#sent-back-note"], ["#review-status"], ["#send-back"], ["#story-notes"]]
    present = [part for part in parts if page.locator(part[0]).count()]
    results = Axe().run(page, context={"include": present})
    return [
        f"{violation['id']}: {violation['help']} {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


def save_with_status(page, status: str, **fields) -> None:
    for label, value in fields.items():
        page.locator(f"#id_{label}").fill(value)
    page.locator("#id_status").select_option(status)
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()


def test_a_story_goes_to_review_back_to_its_author_and_out_on_schedule(
    new_page, roles_users, draft, run_tasks, mailoutbox
):
    change = f"/admin/articles/article/{draft.pk}/change/"
    author = new_page("arthur")
    log_in(author, "arthur")
    author.goto(change)
    save_with_status(author, "review")
    run_tasks()
    assert [mail.to for mail in mailoutbox] == [["edna@newsroom.example"]]

    editor = new_page("edna")
    log_in(editor, "edna")
    queue = editor.locator("#review-queue")
    assert "sent by arthur" in queue.inner_text()
    shot(editor, "1-editor-dashboard")
    queue.get_by_role("link", name=TITLE).click()
    editor.wait_for_url(f"**{change}")
    assert "In review: waiting" in editor.locator("#review-status").inner_text()
    assert workflow_violations(editor) == []
    editor.get_by_role("link", name="send it back to the author with a note").click()
    editor.get_by_label("Note to the author").fill(NOTE)
    shot(editor, "2-editor-sends-back")
    editor.locator("#send-back").get_by_role("button", name="Send back to the author").click()
    editor.wait_for_url("**/admin/")
    assert "was sent back to its authors" in editor.locator(".messagelist").inner_text()
    assert "with the author" in editor.locator("#recently-sent-back").inner_text()
    run_tasks()
    assert NOTE in mailoutbox[-1].body and mailoutbox[-1].to == ["arthur@newsroom.example"]

    author.goto("/admin/")
    mine = author.locator("#my-stories")
    assert "Sent back by edna" in mine.inner_text() and NOTE in mine.inner_text()
    assert blocking_violations(author) == []
    shot(author, "3-author-dashboard")
    mine.get_by_role("link", name=TITLE).click()
    box = author.locator("#sent-back-note")
    assert NOTE in box.inner_text()
    assert workflow_violations(author) == []
    assert "Being edited by edna" not in author.content(), "the editor left the story"
    shot(author, "4-author-sees-note")
    author.locator("#id_teaser").fill("Five countries, one river, no treaty.")
    save_with_status(author, "review")
    run_tasks()
    assert mailoutbox[-1].to == ["edna@newsroom.example"]

    editor.goto("/admin/")
    editor.locator("#review-queue").get_by_role("link", name=TITLE).click()
    editor.wait_for_url(f"**{change}")
    tomorrow = timezone.localtime() + timedelta(days=1)
    editor.locator("#id_publish_at_0").fill(tomorrow.strftime("%Y-%m-%d"))
    editor.locator("#id_publish_at_1").fill("09:00:00")
    save_with_status(editor, "published")

    draft.refresh_from_db()
    assert draft.is_scheduled()
    assert draft.teaser == "Five countries, one river, no treaty."
    actions = AuditEntry.objects.filter(story=draft).exclude(action=AuditEntry.Action.EDITED)
    assert list(actions.order_by("at", "pk").values_list("action", flat=True)) == [
        AuditEntry.Action.SENT_TO_REVIEW,
        AuditEntry.Action.SENT_BACK,
        AuditEntry.Action.SENT_TO_REVIEW,
        AuditEntry.Action.SCHEDULED,
    ]
