"""The review workflow: an author sends a story to review, editors are told, an editor sends it
back with a note the author sees, the author revises and sends it again, the editor schedules
it. Internal notes stay with the staff."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article, Author
from audit.models import AuditEntry
from editorial.models import NOTE_MAX_LENGTH, StoryNote
from editorial.services import NotInReview, story_note_add, story_send_back
from tests.helpers import SITE, change_url, logged_in, staff

CHANGELIST_URL = reverse("admin:articles_article_changelist")
NOTE = "The second half repeats the first; cut it and check the minister's quote."


def send_back_url(article: Article) -> str:
    return reverse("admin:articles_article_send_back", args=[article.pk])


def note_add_url(article: Article) -> str:
    return reverse("admin:articles_article_note_add", args=[article.pk])


def actions_of(article: Article) -> list[str]:
    return list(
        AuditEntry.objects.filter(story=article)
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )


def mails_to(mailoutbox, address: str) -> list:
    return [mail for mail in mailoutbox if address in mail.to]


@pytest.fixture
def author_client(author_user):
    return logged_in(author_user)


@pytest.fixture
def story(make_article, author_user) -> Article:
    """A draft by Arthur (created by him and crediting his author profile)."""
    return make_article(
        title="Water rights on the Amu Darya",
        slug="water-rights-amu-darya",
        status=Article.Status.DRAFT,
        created_by=author_user,
        authors=[author_user.author_profile],
    )


@pytest.fixture
def in_review(story, author_user) -> Article:
    return services.article_send_to_review(article=story, by=author_user)


# -- Editors are told when a story goes to review -------------------------------------------


def test_author_sending_a_story_to_review_with_the_form_mails_each_editor_once(
    author_client, story, editor, second_editor, open_form, run_tasks, mailoutbox
):
    data = open_form(author_client, story, status=Article.Status.REVIEW)

    response = author_client.post(change_url(story), data)

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW
    assert mailoutbox == [], "mail waits for the worker"
    run_tasks()
    assert sorted(address for mail in mailoutbox for address in mail.to) == [
        "bruno@newsroom.example",
        "edna@newsroom.example",
    ]
    mail = mails_to(mailoutbox, "edna@newsroom.example")[0]
    assert mail.subject == "To review: Water rights on the Amu Darya"
    assert "arthur sent a story to review" in mail.body
    assert f"{SITE}{change_url(story)}" in mail.body
    assert f"{SITE}{reverse('admin:index')}" in mail.body
    # Staff mail names the story; its text stays in the admin.
    assert "The body of story" not in mail.body


def test_the_send_to_review_service_mails_the_editors(
    story, author_user, editor, run_tasks, mailoutbox
):
    services.article_send_to_review(article=story, by=author_user)
    run_tasks()

    assert [mail.to for mail in mailoutbox] == [["edna@newsroom.example"]]


def test_the_bulk_action_mails_each_editor_once_for_all_the_stories(
    author_client, story, make_article, author_user, editor, run_tasks, mailoutbox
):
    other = make_article(title="Dams of the Vakhsh", status="draft", created_by=author_user)

    author_client.post(
        CHANGELIST_URL,
        {"action": "send_to_review_selected", "_selected_action": [story.pk, other.pk]},
    )
    run_tasks()

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == "2 stories to review"
    assert "Water rights on the Amu Darya" in mail.body
    assert "Dams of the Vakhsh" in mail.body


def test_whoever_sends_is_not_mailed_and_saving_a_story_in_review_mails_nobody_again(
    editor_client, editor, second_editor, story, open_form, run_tasks, mailoutbox
):
    editor_client.post(change_url(story), open_form(editor_client, story, status="review"))
    run_tasks()
    assert [mail.to for mail in mailoutbox] == [["bruno@newsroom.example"]]

    story.refresh_from_db()
    editor_client.post(change_url(story), open_form(editor_client, story, title="A new title"))
    run_tasks()

    assert len(mailoutbox) == 1


def test_a_story_that_left_review_before_the_worker_ran_is_not_announced(
    story, author_user, editor, second_editor, run_tasks, mailoutbox
):
    services.article_send_to_review(article=story, by=author_user)
    services.article_publish(article=story, by=editor)
    run_tasks()

    assert mailoutbox == []


def test_inactive_editors_and_editors_without_an_address_get_no_mail(
    story, author_user, editor, django_user_model, run_tasks, mailoutbox
):
    staff(django_user_model, "gone", "Editors", is_active=False)
    no_address = staff(django_user_model, "nomail", "Editors")
    no_address.email = ""
    no_address.save()

    services.article_send_to_review(article=story, by=author_user)
    run_tasks()

    assert [mail.to for mail in mailoutbox] == [["edna@newsroom.example"]]


# -- Sending back with a note ------------------------------------------------------------------


def test_editor_sends_a_story_back_with_a_note_the_authors_get_by_email(
    editor_client, editor, in_review, run_tasks, mailoutbox
):
    response = editor_client.post(send_back_url(in_review), {"text": NOTE})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index"), "back to the queue"
    in_review.refresh_from_db()
    assert in_review.status == Article.Status.DRAFT
    note = StoryNote.objects.get()
    assert (note.kind, note.text, note.author, note.resolved_at) == (
        StoryNote.Kind.SENT_BACK,
        NOTE,
        editor,
        None,
    )
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.SENT_BACK).get()
    assert (entry.actor, entry.story, entry.details) == (editor, in_review, {"note": note.pk})

    run_tasks()
    assert [mail.to for mail in mailoutbox] == [["arthur@newsroom.example"]]
    mail = mailoutbox[0]
    assert mail.subject == "Sent back to you: Water rights on the Amu Darya"
    assert "edna sent “Water rights on the Amu Darya” back to you" in mail.body
    assert NOTE in mail.body
    assert f"{SITE}{change_url(in_review)}" in mail.body
    note.refresh_from_db()
    assert note.emailed_at is not None
    # Run twice (a worker that died mid-way): the authors are mailed once.
    from editorial.tasks import notify_authors_of_send_back

    notify_authors_of_send_back.enqueue(note.pk)
    run_tasks()
    assert len(mailoutbox) == 1


def test_every_user_linked_to_a_credited_author_is_mailed(
    editor_client, in_review, django_user_model, run_tasks, mailoutbox
):
    colleague = staff(django_user_model, "zarina", "Authors")
    profile = Author.objects.create(name="Zarina Nurova", slug="zarina-nurova", user=colleague)
    in_review.authors.add(profile)

    editor_client.post(send_back_url(in_review), {"text": NOTE})
    run_tasks()

    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "arthur@newsroom.example",
        "zarina@newsroom.example",
    ]


def test_the_send_back_services_refuse_authors_and_stories_not_in_review(
    author_user, editor, in_review, make_article
):
    with pytest.raises(PermissionDenied):
        story_send_back(article=in_review, by=author_user, text=NOTE)
    with pytest.raises(PermissionDenied):
        services.article_send_back(article=in_review, by=author_user)
    draft = make_article(status=Article.Status.DRAFT)
    with pytest.raises(NotInReview):
        story_send_back(article=draft, by=editor, text=NOTE)
    with pytest.raises(ValueError):
        services.article_send_back(article=draft, by=editor)
    assert not StoryNote.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.SENT_BACK).exists()


def test_author_cannot_send_a_story_back(author_client, in_review, run_tasks, mailoutbox):
    response = author_client.post(send_back_url(in_review), {"text": NOTE})

    assert response.status_code == 403
    in_review.refresh_from_db()
    assert in_review.status == Article.Status.REVIEW
    assert not StoryNote.objects.exists()
    assert AuditEntry.Action.SENT_BACK not in actions_of(in_review)
    ran = [task.task_path for task in run_tasks() if task.task_path.startswith("editorial.")]
    assert ran == ["editorial.tasks.notify_editors_of_review"], "only the send to review's own"
    assert mailoutbox == []
    assert author_client.get(send_back_url(in_review)).status_code == 403


def test_author_is_not_offered_the_send_back_form(author_client, in_review):
    page = author_client.get(change_url(in_review)).content.decode()

    assert 'id="send-back"' not in page
    assert send_back_url(in_review) not in page


def test_editor_is_offered_the_send_back_form_while_the_story_is_in_review(
    editor_client, in_review
):
    page = editor_client.get(change_url(in_review)).content.decode()

    assert 'id="send-back"' in page
    assert f'action="{send_back_url(in_review)}"' in page
    assert "waiting" in page and "sent by arthur" in page


def test_a_story_is_sent_back_only_with_a_note(editor_client, in_review, run_tasks, mailoutbox):
    response = editor_client.post(send_back_url(in_review), {"text": "   \n  "})

    assert response.status_code == 200
    assert "a story is sent back with a note" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == Article.Status.REVIEW
    assert not StoryNote.objects.exists()
    run_tasks()
    assert mails_to(mailoutbox, "arthur@newsroom.example") == []


def test_a_note_too_long_is_refused_and_kept_for_the_editor(editor_client, in_review):
    text = "Too much to say. " * (NOTE_MAX_LENGTH // 10)

    response = editor_client.post(send_back_url(in_review), {"text": text})

    assert response.status_code == 200
    page = response.content.decode()
    assert "errornote" in page
    assert text.strip() in page
    in_review.refresh_from_db()
    assert in_review.status == Article.Status.REVIEW


def test_a_story_that_left_review_meanwhile_is_not_sent_back_and_the_note_is_kept(
    editor_client, editor, in_review
):
    services.article_publish(article=in_review, by=editor)

    response = editor_client.post(send_back_url(in_review), {"text": NOTE})

    assert response.status_code == 200
    page = response.content.decode()
    assert "no longer in review" in page
    assert NOTE.replace("'", "&#x27;") in page
    in_review.refresh_from_db()
    assert in_review.status == Article.Status.PUBLISHED
    assert not StoryNote.objects.exists()


def test_a_draft_cannot_be_sent_back(editor_client, story):
    response = editor_client.get(send_back_url(story), follow=True)

    assert "Only a story in review can be sent back." in response.content.decode()
    assert not StoryNote.objects.exists()


def test_author_sees_the_note_above_the_story_and_sending_again_resolves_it(
    editor_client,
    author_client,
    editor,
    second_editor,
    in_review,
    open_form,
    run_tasks,
    mailoutbox,
):
    editor_client.post(send_back_url(in_review), {"text": NOTE})
    run_tasks()
    mailoutbox.clear()

    page = author_client.get(change_url(in_review)).content.decode()
    assert 'id="sent-back-note"' in page
    assert "Sent back by edna" in page
    assert NOTE.replace("'", "&#x27;") in page
    # Above the form's fields.
    assert page.index('id="sent-back-note"') < page.index('name="title"')

    in_review.refresh_from_db()
    data = open_form(author_client, in_review, body="<p>Shorter now.</p>", status="review")
    author_client.post(change_url(in_review), data)

    note = StoryNote.objects.get()
    assert note.resolved_at is not None
    assert 'id="sent-back-note"' not in author_client.get(change_url(in_review)).content.decode()
    run_tasks()
    assert len(mailoutbox) == 2, "both editors hear of it again"


def test_the_whole_journey_is_audited(
    editor_client, author_client, editor, story, open_form, run_tasks, mailoutbox
):
    # The worker runs between the steps, as it does beside the web servers.
    author_client.post(change_url(story), open_form(author_client, story, status="review"))
    run_tasks()
    story.refresh_from_db()
    editor_client.post(send_back_url(story), {"text": NOTE})
    run_tasks()
    story.refresh_from_db()
    author_client.post(
        change_url(story),
        open_form(author_client, story, body="<p>Revised.</p>", status="review"),
    )
    run_tasks()
    story.refresh_from_db()
    tomorrow = timezone.localtime() + timedelta(days=1)
    editor_client.post(
        change_url(story),
        open_form(
            editor_client,
            story,
            status="published",
            publish_at_0=tomorrow.strftime("%Y-%m-%d"),
            publish_at_1=tomorrow.strftime("%H:%M:%S"),
        ),
    )
    run_tasks()

    story.refresh_from_db()
    assert story.is_scheduled()
    assert [action for action in actions_of(story) if action != AuditEntry.Action.EDITED] == [
        AuditEntry.Action.SENT_TO_REVIEW,
        AuditEntry.Action.SENT_BACK,
        AuditEntry.Action.SENT_TO_REVIEW,
        AuditEntry.Action.SCHEDULED,
    ]
    # The editor told twice, the author once.
    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "arthur@newsroom.example",
        "edna@newsroom.example",
        "edna@newsroom.example",
    ]


# -- Internal notes -----------------------------------------------------------------------------


def test_staff_add_internal_notes_listed_newest_first_and_audited(
    editor_client, author_client, editor, story
):
    author_client.post(note_add_url(story), {"text": "Source agreed to be named."})
    response = editor_client.post(note_add_url(story), {"text": "Legal has read it."})

    assert response.status_code == 302
    assert response["Location"] == change_url(story) + "#story-notes"
    page = editor_client.get(change_url(story)).content.decode()
    assert page.index("Legal has read it.") < page.index("Source agreed to be named.")
    assert list(StoryNote.objects.internal().values_list("author__username", flat=True)) == [
        "edna",
        "arthur",
    ]
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.NOTE_ADDED)
    assert entries.count() == 2
    assert {entry.details["note"] for entry in entries} == set(
        StoryNote.objects.values_list("pk", flat=True)
    )


def test_author_cannot_add_a_note_to_another_authors_story(author_client, make_article):
    foreign = make_article(status=Article.Status.DRAFT)

    response = author_client.post(note_add_url(foreign), {"text": "Mine now."})

    assert response.status_code == 404
    assert not StoryNote.objects.exists()


def test_staff_without_story_rights_cannot_add_notes(client, moderator, story):
    client.force_login(moderator)

    assert client.post(note_add_url(story), {"text": "Hello."}).status_code in (403, 404)
    assert not StoryNote.objects.exists()


def test_an_empty_note_is_refused_with_a_message(editor_client, story):
    response = editor_client.post(note_add_url(story), {"text": ""})

    assert response.status_code == 200
    assert "Write the note first" in response.content.decode()
    assert not StoryNote.objects.exists()


def test_opening_the_note_address_goes_back_to_the_story(editor_client, story):
    response = editor_client.get(note_add_url(story))

    assert response.status_code == 302
    assert response["Location"] == change_url(story) + "#story-notes"


@pytest.mark.parametrize(
    ("url_name", "object_id", "data"),
    [
        ("send_back", "not-a-number", {"text": NOTE}),
        ("send_back", "999999", {"text": NOTE}),
        ("note_add", "999999", {"text": NOTE}),
        ("send_back", None, {"text": ["one", "two"]}),
        ("send_back", None, {"text": "nul\x00byte"}),
        ("note_add", None, {"text": "nul\x00byte"}),
        ("note_add", None, {"text": "x" * (NOTE_MAX_LENGTH + 1)}),
        ("note_add", None, {"unexpected": "field"}),
        ("send_back", None, {}),
    ],
)
def test_junk_posts_never_fail(editor_client, in_review, url_name, object_id, data):
    url = reverse(f"admin:articles_article_{url_name}", args=[object_id or in_review.pk])

    response = editor_client.post(url, data)

    assert response.status_code in (200, 302, 400, 404)
    in_review.refresh_from_db()
    if data.get("text") != ["one", "two"]:
        assert not StoryNote.objects.exists()


# -- Notes never reach readers ------------------------------------------------------------------

SECRET = "Lawyer says paragraph four is defamatory"


@pytest.fixture
def noted_story(make_article, author_user, editor) -> Article:
    """A public story with an internal note and an old (resolved) send-back note."""
    article = make_article(
        title="Cotton quotas end",
        slug="cotton-quotas-end",
        teaser="The cotton harvest is no longer forced.",
        created_by=author_user,
        authors=[author_user.author_profile],
    )
    story_note_add(article=article, by=editor, text=SECRET)
    StoryNote.objects.create(
        article=article,
        author=editor,
        author_name="edna",
        kind=StoryNote.Kind.SENT_BACK,
        text=SECRET + " (sent back)",
        resolved_at=timezone.now(),
    )
    return article


@pytest.mark.parametrize(
    "path",
    [
        "/articles/cotton-quotas-end/",
        "/",
        "/feed/",
        "/feed/atom/",
        "/authors/arthur-dent/",
        "/authors/arthur-dent/feed/",
        "/sitemap.xml",
        "/search/?q=cotton",
        "/search/?q=defamatory",
        "/api/v1/stories/",
        "/api/v1/stories/cotton-quotas-end/",
    ],
)
def test_internal_notes_never_reach_readers(client, noted_story, path):
    response = client.get(path)

    assert response.status_code == 200
    assert SECRET not in response.content.decode()


def test_readers_pages_show_the_story_the_notes_are_on(client, noted_story):
    # The test above would pass on empty pages: these pages do show the story.
    for path in ("/articles/cotton-quotas-end/", "/feed/", "/api/v1/stories/cotton-quotas-end/"):
        assert "Cotton quotas end" in client.get(path).content.decode()
    assert "cotton-quotas-end" in client.get("/search/?q=cotton").content.decode()


def test_internal_notes_stay_out_of_the_story_history(editor_client, noted_story, open_form):
    editor_client.post(
        change_url(noted_story), open_form(editor_client, noted_story, title="Cotton quotas end!")
    )
    history_url = reverse("admin:articles_article_history", args=[noted_story.pk])
    history = editor_client.get(history_url)
    assert history.status_code == 200
    assert "Cotton quotas end!" in history.content.decode()
    assert SECRET not in history.content.decode()

    version = noted_story.history.earliest()
    revert = editor_client.get(
        reverse(
            "admin:articles_article_simple_history",
            args=[noted_story.pk, version.history_id],
        )
    )
    assert revert.status_code == 200
    assert SECRET not in revert.content.decode()
    assert not any(
        SECRET in str(value) for row in noted_story.history.values() for value in row.values()
    )


def test_internal_notes_stay_out_of_previews(client, editor_client, story, editor):
    story_note_add(article=story, by=editor, text=SECRET)

    preview = editor_client.get(reverse("articles:preview", args=[story.pk]))
    assert preview.status_code == 200
    assert story.title in preview.content.decode()
    assert SECRET not in preview.content.decode()
