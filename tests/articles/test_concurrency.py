"""Never lose an edit: stale saves are refused, with what changed meanwhile."""

import pytest
from django.urls import reverse

from articles import services
from articles.concurrency import body_text, word_diff
from articles.models import Article
from tests.helpers import change_url, form_data, logged_in


@pytest.fixture
def story(make_article) -> Article:
    return make_article(
        title="Gas talks in Baku",
        slug="gas-talks-in-baku",
        teaser="Three capitals, one pipeline.",
        body="<p>The talks went on until dawn.</p><p>Nobody signed.</p>",
        status=Article.Status.DRAFT,
    )


def test_every_save_moves_the_version_on(story, editor):
    first = story.version
    story.title = "Gas talks in Baku, day two"
    story.save()
    assert story.version == first + 1
    assert Article.objects.get(pk=story.pk).version == first + 1


def test_bulk_and_single_services_move_the_version_on(story, make_article, editor):
    other = make_article(status=Article.Status.DRAFT)
    before = {story.pk: story.version, other.pk: other.version}

    services.articles_publish(queryset=Article.objects.filter(pk__in=before), by=editor)
    services.article_unpublish(article=Article.objects.get(pk=story.pk), by=editor)

    versions = dict(Article.objects.filter(pk__in=before).values_list("pk", "version"))
    assert versions[other.pk] == before[other.pk] + 1
    assert versions[story.pk] == before[story.pk] + 2


def test_second_editor_is_refused_and_shown_what_changed(story, editor, second_editor, open_form):
    edna, bruno = logged_in(editor), logged_in(second_editor)
    ednas_form = open_form(
        edna,
        story,
        title="Gas talks in Baku collapse",
        body="<p>The talks went on until dawn.</p><p>Nobody signed, and Ankara walked out.</p>",
    )
    brunos_form = open_form(bruno, story, teaser="Three capitals, one pipeline, no deal.")

    assert edna.post(change_url(story), ednas_form).status_code == 302
    response = bruno.post(change_url(story), brunos_form)

    assert response.status_code == 200
    stored = Article.objects.get(pk=story.pk)
    assert stored.title == "Gas talks in Baku collapse"
    assert stored.teaser == "Three capitals, one pipeline."
    form = response.context["adminform"].form
    assert form.errors.as_data()["__all__"][0].code == "stale"
    page = response.content.decode()
    assert "edna saved this story at" in page
    assert "Your changes were not saved" in page
    # Everything Bruno typed is still in the form.
    assert form["teaser"].value() == "Three capitals, one pipeline, no deal."
    # What Edna changed, field by field, with the words she added.
    changed = {change.label: change for change in form.conflict.changes}
    assert set(changed) == {"Title", "Body"}
    assert ("insert", " collapse") in changed["Title"].segments
    assert "<del>signed.</del><ins>signed, and Ankara walked out.</ins>" in page
    assert 'id="edit-conflict"' in page


def test_saving_again_after_seeing_the_changes_is_a_deliberate_overwrite(
    story, editor, second_editor, open_form
):
    edna, bruno = logged_in(editor), logged_in(second_editor)
    ednas_form = open_form(edna, story, title="Edna's title")
    brunos_form = open_form(bruno, story, title="Bruno's title")
    edna.post(change_url(story), ednas_form)
    refused = bruno.post(change_url(story), brunos_form)
    form = refused.context["adminform"].form

    again = {
        **brunos_form,
        "loaded_version": form["loaded_version"].value(),
        "loaded_history": form["loaded_history"].value(),
    }
    response = bruno.post(change_url(story), again)

    assert response.status_code == 302
    assert Article.objects.get(pk=story.pk).title == "Bruno's title"


def test_a_bulk_action_meanwhile_also_stops_a_stale_save(story, editor, second_editor, open_form):
    bruno = logged_in(second_editor)
    brunos_form = open_form(bruno, story, teaser="A new teaser.")
    services.articles_send_to_review(queryset=Article.objects.filter(pk=story.pk), by=editor)

    response = bruno.post(change_url(story), brunos_form)

    assert response.status_code == 200
    labels = [change.label for change in response.context["adminform"].form.conflict.changes]
    assert labels == ["Status"]
    assert Article.objects.get(pk=story.pk).teaser == "Three capitals, one pipeline."


def test_a_save_without_changes_in_between_passes(story, editor, open_form):
    edna = logged_in(editor)
    response = edna.post(change_url(story), open_form(edna, story, title="Only Edna"))
    assert response.status_code == 302
    assert Article.objects.get(pk=story.pk).title == "Only Edna"


def test_a_garbled_version_field_is_a_form_error_not_a_server_error(story, editor, open_form):
    edna = logged_in(editor)
    data = open_form(edna, story, title="Still here")
    data["loaded_version"] = "not-a-number"
    response = edna.post(change_url(story), data)
    assert response.status_code == 200
    assert response.context["adminform"].form["title"].value() == "Still here"


def test_word_diff_marks_removed_and_added_words():
    segments = word_diff("The talks failed today", "The talks succeeded today")
    assert ("delete", "failed") in segments
    assert ("insert", "succeeded") in segments
    assert "".join(text for op, text in segments if op != "delete") == "The talks succeeded today"


def test_body_text_keeps_one_line_per_paragraph():
    assert body_text("<p>One <b>two</b></p><h2>Three</h2><ul><li>Four</li></ul>") == (
        "One two\nThree\nFour"
    )


def test_a_revert_from_the_history_moves_the_version_on(story, editor, second_editor, open_form):
    edna, bruno = logged_in(editor), logged_in(second_editor)
    ednas_form = open_form(edna, story, teaser="Edna's teaser.")
    bruno.post(change_url(story), open_form(bruno, story, title="Bruno's headline"))
    before = Article.objects.get(pk=story.pk).version
    first = story.history.order_by("history_id").first()
    revert_url = reverse("admin:articles_article_simple_history", args=[story.pk, first.history_id])

    reverted = bruno.post(revert_url, form_data(first.instance))

    assert reverted.status_code == 302
    stored = Article.objects.get(pk=story.pk)
    assert (stored.title, stored.version) == ("Gas talks in Baku", before + 1)
    assert edna.post(change_url(story), ednas_form).status_code == 200
