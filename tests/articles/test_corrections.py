"""A story's corrections: each kept with its time, shown to readers in order, audited."""

import json
import re
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from articles.corrections import correction_add
from articles.models import Correction
from audit.models import AuditEntry
from tests.articles.test_feeds import raw_contents
from tests.helpers import change_url, counted, logged_in

pytestmark = pytest.mark.django_db

# 19:10 UTC is 21:10 in the newsroom's zone (Europe/Berlin, summer time).
FIRST_AT = datetime(2024, 5, 9, 19, 10, tzinfo=UTC)
SECOND_AT = datetime(2024, 5, 10, 7, 5, tzinfo=UTC)
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def edit_url(correction: Correction) -> str:
    return reverse(
        "admin:articles_article_edit_correction", args=[correction.article_id, correction.pk]
    )


def remove_url(correction: Correction) -> str:
    return reverse(
        "admin:articles_article_remove_correction", args=[correction.article_id, correction.pk]
    )


@pytest.fixture
def corrected_story(make_article, editor):
    """A public story corrected twice, the later correction saved first."""
    story = make_article(title="Talks in Almaty", slug="talks-in-almaty")
    correction_add(
        article=story, text="We misspelt the minister's name.", by=editor, made_at=SECOND_AT
    )
    correction_add(
        article=story, text="An earlier version gave the wrong date.", by=editor, made_at=FIRST_AT
    )
    return story


def news_article(page: str) -> dict:
    found = [json.loads(script) for script in JSON_LD.findall(page)]
    return next(data for data in found if data["@type"] == "NewsArticle")


def test_readers_see_every_correction_in_order_with_its_time(client, corrected_story):
    page = client.get(corrected_story.get_absolute_url()).content.decode()

    first = page.index("An earlier version gave the wrong date.")
    second = page.index("We misspelt the minister&#x27;s name.")
    assert first < second
    assert (
        '<strong>Corrected <time datetime="2024-05-09T21:10+02:00">9 May 2024 21:10</time>:'
        "</strong> An earlier version gave the wrong date." in page
    )
    assert '<time datetime="2024-05-10T09:05+02:00">10 May 2024 09:05</time>' in page


@pytest.mark.parametrize("count", [1, 12])
def test_the_story_page_runs_the_same_queries_for_one_or_many_corrections(
    client, make_article, editor, no_page_cache, django_assert_num_queries, count
):
    story = make_article()
    for number in range(count):
        correction_add(article=story, text=f"Fix {number}.", by=editor)

    # The story, its tags, its authors, its corrections, previous and next, its translations.
    response = counted(client, story.get_absolute_url(), django_assert_num_queries, 6)
    assert response.content.decode().count("<strong>Corrected") == count


def test_json_ld_carries_each_correction(client, corrected_story):
    page = client.get(corrected_story.get_absolute_url()).content.decode()

    assert news_article(page)["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "An earlier version gave the wrong date.",
            "datePublished": "2024-05-09T21:10:00+02:00",
        },
        {
            "@type": "CorrectionComment",
            "text": "We misspelt the minister's name.",
            "datePublished": "2024-05-10T09:05:00+02:00",
        },
    ]


def test_a_story_never_corrected_has_no_correction_box_or_json_ld(client, published_article):
    page = client.get(published_article.get_absolute_url()).content.decode()

    assert 'id="corrections"' not in page
    assert "correction" not in news_article(page)


@pytest.mark.parametrize("name", ["articles-feed", "articles-feed-atom"])
def test_feeds_show_the_latest_correction_first(client, corrected_story, make_article, name):
    make_article(title="Never corrected")
    response = client.get(reverse(name))
    feed = feedparser.parse(response.content)
    entries = {entry.title: entry for entry in feed.entries}

    latest = "<p><strong>Corrected 10 May 2024 09:05:</strong> We misspelt the minister"
    summary = entries["Talks in Almaty"].summary
    assert summary.startswith(latest)
    assert "wrong date" not in summary
    content = next(html for html in raw_contents(response) if "minister" in html)
    assert content.startswith(latest)
    assert "Corrected" not in entries["Never corrected"].summary


def test_a_hostile_correction_reaches_feeds_as_text(client, make_article, editor):
    story = make_article(title="Hostile")
    correction_add(article=story, text='<img src=x onerror="alert(1)">\nSecond line', by=editor)
    response = client.get(reverse("articles-feed"))
    content = next(html for html in raw_contents(response) if "onerror" in html)

    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;<br>Second line" in content
    assert "<img src=x" not in content


def test_an_editor_adds_a_correction_from_the_story_form(
    editor_client, open_form, editor, published_article
):
    story = published_article
    data = open_form(editor_client, story, correction="  We first wrote Tuesday.  ")
    before = timezone.now()

    response = editor_client.post(change_url(story), data)

    assert response.status_code == 302
    correction = story.corrections.get()
    assert correction.text == "We first wrote Tuesday."
    assert correction.created_by == editor and correction.made_at >= before
    story.refresh_from_db()
    # Readers see "Updated" at the correction's time.
    assert story.revised_at == correction.made_at
    actions = list(AuditEntry.objects.filter(story=story).values_list("action", "details"))
    added = {"correction": correction.pk, "made_at": correction.made_at.isoformat()}
    assert ("correction_added", added) in actions
    # Only the correction changed: no "edited" entry for the form's extra box.
    assert not any(action == "edited" for action, _details in actions)
    # The change page lists it, with the editor's links to change or remove it.
    page = editor_client.get(change_url(story)).content.decode()
    assert "We first wrote Tuesday." in page
    assert edit_url(correction) in page and remove_url(correction) in page


def test_an_updated_time_given_with_the_correction_is_kept(
    editor_client, open_form, published_article
):
    updated = timezone.localtime(timezone.now() - timedelta(hours=3)).replace(microsecond=0)
    data = open_form(
        editor_client,
        published_article,
        correction="The figures were for 2023.",
        revised_at_0=updated.strftime("%Y-%m-%d"),
        revised_at_1=updated.strftime("%H:%M:%S"),
    )

    assert editor_client.post(change_url(published_article), data).status_code == 302

    published_article.refresh_from_db()
    assert published_article.revised_at == updated
    assert published_article.corrections.get().made_at > updated


def test_editors_change_and_remove_a_correction_and_the_log_keeps_both(
    editor_client, corrected_story
):
    first, second = corrected_story.corrections.order_by("made_at")

    assert "Save the correction" in editor_client.get(edit_url(first)).content.decode()
    response = editor_client.post(edit_url(first), {"text": "An earlier version gave 8 May."})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.text == "An earlier version gave 8 May." and first.made_at == FIRST_AT

    assert "Yes, remove it" in editor_client.get(remove_url(second)).content.decode()
    assert editor_client.post(remove_url(second)).status_code == 302
    assert list(corrected_story.corrections.all()) == [first]

    edited = AuditEntry.objects.get(action=AuditEntry.Action.CORRECTION_EDITED)
    assert edited.story_id == corrected_story.pk
    assert edited.details["previous_text"] == "An earlier version gave the wrong date."
    removed = AuditEntry.objects.get(action=AuditEntry.Action.CORRECTION_REMOVED)
    assert removed.details["text"] == "We misspelt the minister's name."
    assert removed.details["made_at"] == SECOND_AT.isoformat()


def test_an_empty_text_is_refused_and_nothing_changes(editor_client, corrected_story):
    first = corrected_story.corrections.order_by("made_at").first()

    response = editor_client.post(edit_url(first), {"text": "   "})

    assert response.status_code == 200
    first.refresh_from_db()
    assert first.text == "An earlier version gave the wrong date."
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CORRECTION_EDITED).exists()


def test_authors_may_not_change_or_remove_corrections(client, author_user, make_article, editor):
    own_draft = make_article(status="draft", created_by=author_user)
    correction = correction_add(article=own_draft, text="A fix.", by=editor)
    author = logged_in(author_user)

    page = author.get(change_url(own_draft)).content.decode()
    assert "A fix." in page and edit_url(correction) not in page
    assert author.get(edit_url(correction)).status_code == 403
    assert author.post(remove_url(correction)).status_code == 403
    assert author.post(edit_url(correction), {"text": "Mine."}).status_code == 403
    assert Correction.objects.get().text == "A fix."


def test_a_correction_of_another_story_is_not_found(editor_client, corrected_story, make_article):
    other = make_article()
    correction = corrected_story.corrections.first()
    url = reverse("admin:articles_article_edit_correction", args=[other.pk, correction.pk])

    assert editor_client.get(url).status_code == 404


def test_a_correction_shows_on_the_cached_page_at_once(client, published_article, editor):
    url = published_article.get_absolute_url()
    # Both now in the page cache.
    assert "Corrected" not in client.get(url).content.decode()
    assert "Corrected" not in client.get(reverse("articles-feed")).content.decode()

    correction_add(article=published_article, text="The date was wrong.", by=editor)
    assert "The date was wrong." in client.get(url).content.decode()
    assert "The date was wrong." in client.get(reverse("articles-feed")).content.decode()

    Correction.objects.get().delete()
    assert "The date was wrong." not in client.get(url).content.decode()


def test_corrections_of_a_story_not_public_are_nowhere(client, make_article, editor):
    draft = make_article(status="draft", title="Secret draft")
    correction_add(article=draft, text="A secret fix.", by=editor)

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "A secret fix." not in client.get(reverse("articles-feed")).content.decode()
    assert "A secret fix." not in client.get("/api/v1/stories/").content.decode()
