"""Editors in the admin: the sends' figures, the lists' counts, alerts and stopping a send."""

from django.urls import reverse

from articles.models import Region
from audit.models import AuditEntry
from newsletters.models import Send, Subscriber
from tests.helpers import logged_in

STORIES = reverse("admin:articles_article_changelist")
SENDS = reverse("admin:newsletters_send_changelist")
SUBSCRIBERS = reverse("admin:newsletters_subscriber_changelist")


def alert_action(client, story, **extra):
    return client.post(
        STORIES, {"action": "send_alert", "_selected_action": [story.pk], **extra}, follow=True
    )


def test_editors_see_subscribers_per_list_and_each_sends_figures(
    editor_client, make_subscriber, start_daily, make_article, smtp_server, run_tasks
):
    caucasus = Region.objects.create(name="South Caucasus", slug="south-caucasus")
    make_subscriber("a@example.org", regions=[caucasus], breaking=True)
    make_subscriber("b@example.org", frequency="weekly")
    make_subscriber("c@example.org")
    make_subscriber("waiting@example.org", confirmed=False)
    make_article(region=caucasus)
    smtp_server.keeper.refuse.add("c@example.org")
    start_daily()
    run_tasks()

    page = editor_client.get(SENDS)

    assert page.status_code == 200
    html = page.content.decode()
    assert "3 confirmed subscribers: 2 daily, 1 weekly; 2 get every story; 1 get" in html
    assert "1 sign-ups wait for confirmation" in html
    assert "<td>South Caucasus</td><td>English</td><td>1</td>" in html
    assert "English: 3; Русский: 0" in html
    send = Send.objects.get()
    assert (send.recipients, send.delivered, send.failed) == (2, 1, 1)
    assert '<td class="field-delivered">1</td>' in html
    assert '<td class="field-failed">1</td>' in html
    # Addresses are not for editors.
    assert "a@example.org" not in html
    assert editor_client.get(SUBSCRIBERS).status_code == 403


def test_an_editor_sends_a_story_as_an_alert_after_confirming_audited(
    editor, editor_client, published_article, make_subscriber, run_tasks, smtp_server
):
    make_subscriber("breaking@example.org", breaking=True)

    asked = editor_client.post(
        STORIES, {"action": "send_alert", "_selected_action": [published_article.pk]}
    )
    assert "It goes at once to the 1 confirmed subscriber" in asked.content.decode()
    assert not Send.objects.exists()

    done = alert_action(editor_client, published_article, post="yes")
    assert "The alert is on its way to 1 subscribers." in done.content.decode()
    run_tasks()
    [alert] = smtp_server.messages
    assert published_article.title in alert.text
    entry = AuditEntry.objects.get(action=AuditEntry.Action.NEWSLETTER_ALERT)
    assert (entry.actor, entry.story) == (editor, published_article)

    again = alert_action(editor_client, published_article, post="yes")
    assert "This story was sent as an alert already." in again.content.decode()
    assert Send.objects.count() == 1


def test_a_draft_cannot_be_sent_as_an_alert(editor_client, draft_article):
    response = alert_action(editor_client, draft_article, post="yes")

    assert "Only a published story can be sent as a breaking-news alert." in (
        response.content.decode()
    )
    assert not Send.objects.exists()


def test_authors_have_no_alert_action(author_user, make_article):
    story = make_article(authors=[author_user.author_profile])
    client = logged_in(author_user)

    page = client.get(STORIES)

    assert 'value="send_alert"' not in page.content.decode()
    alert_action(client, story, post="yes")
    assert not Send.objects.exists()


def test_an_editor_stops_a_send_mid_way_audited(
    editor, editor_client, make_subscriber, start_daily
):
    make_subscriber("a@example.org")
    send = start_daily()

    editor_client.post(SENDS, {"action": "stop_selected", "_selected_action": [send.pk]})

    send.refresh_from_db()
    assert (send.status, send.note) == ("stopped", "Stopped by edna.")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.NEWSLETTER_STOPPED)
    assert entry.actor == editor


def test_a_superuser_erases_an_address_on_request_audited_without_the_address(
    superuser, make_subscriber
):
    subscriber = make_subscriber("erase-me@example.org")
    client = logged_in(superuser)

    listed = client.get(SUBSCRIBERS + "?q=erase-me")
    assert "erase-me@example.org" in listed.content.decode()
    client.post(
        reverse("admin:newsletters_subscriber_delete", args=[subscriber.pk]), {"post": "yes"}
    )

    assert not Subscriber.objects.exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETED)
    assert entry.object_repr == f"subscriber #{subscriber.pk}"
    assert "erase-me" not in str(entry.details)
