"""The library's rules once a picture is in use: who may change it, what readers keep, what
an author learns of others' stories, and which changes reach cached pages."""

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from articles import page_changes
from articles.references import MAX_GALLERY
from articles.sanitizer import sanitize_html
from embeds.models import Embed
from embeds.services import fetch_embeds
from tests.helpers import change_url as story_change_url
from tests.helpers import form_data, logged_in, picture_bytes
from tests.images.test_library_admin import change_data, change_url, listed

pytestmark = pytest.mark.django_db


def test_an_author_may_not_change_their_picture_once_a_story_uses_it(
    author_user, make_image, make_article
):
    image = make_image(uploaded_by=author_user, alt_text="The quay")
    make_article(lead_image=image)

    response = logged_in(author_user).post(change_url(image), change_data(image, alt_text="x"))

    assert response.status_code == 403
    image.refresh_from_db()
    assert image.alt_text == "The quay"


def test_alt_text_cannot_be_cleared_while_stories_show_the_picture(
    editor_client, make_image, make_article
):
    image = make_image(alt_text="The quay")
    make_article(body=f'<figure data-image="{image.pk}"></figure>')

    response = editor_client.post(change_url(image), change_data(image, alt_text=" "))

    assert response.status_code == 200
    assert "cannot be left empty" in response.content.decode()
    image.refresh_from_db()
    assert image.alt_text == "The quay"


def test_an_author_never_learns_the_titles_of_others_drafts_from_a_shared_picture(
    author_user, editor, make_image, make_article
):
    image = make_image(uploaded_by=editor)
    make_article(title="Embargoed: the minister resigns", status="draft", lead_image=image)

    page = logged_in(author_user).get(change_url(image)).content.decode()

    assert "Embargoed" not in page
    assert "Also used by stories you cannot open." in page


def test_a_picture_used_by_three_stories_is_listed_once(editor_client, make_image, make_article):
    image = make_image(title="Shared harbour")
    for _ in range(3):
        make_article(lead_image=image, body=f'<figure data-image="{image.pk}"></figure>')

    assert listed(editor_client, use="used") == ["Shared harbour"]


def test_replacing_the_file_deletes_the_old_clean_picture(
    editor_client, make_image, django_capture_on_commit_callbacks
):
    image = make_image()
    old_names = [image.file.name, *image.renditions.values()]
    storage = image.file.storage
    data = change_data(image)
    data["file"] = SimpleUploadedFile("new.jpg", picture_bytes((400, 300)), "image/jpeg")

    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(change_url(image), data).status_code == 302

    image.refresh_from_db()
    assert image.file.name not in old_names and storage.exists(image.file.name)
    assert not any(storage.exists(name) for name in old_names if "/" in name)


def test_a_new_title_in_the_library_leaves_cached_pages_alone(
    editor_client, make_image, make_article
):
    image = make_image(title="Harbour", alt_text="The quay")
    make_article(lead_image=image)

    with mock.patch.object(page_changes, "stories_changed") as told:
        editor_client.post(change_url(image), change_data(image, title="Harbour, dusk"))
    assert not told.called

    with mock.patch.object(page_changes, "stories_changed") as told:
        editor_client.post(change_url(image), change_data(image, alt_text="The quay at dusk"))
    assert told.called


def test_a_gallery_longer_than_the_limit_is_refused_with_the_text_kept(
    editor_client, published_article
):
    ids = " ".join(str(n) for n in range(1, MAX_GALLERY + 2))
    data = form_data(published_article, body=f'<p>Kept.</p><figure data-gallery="{ids}"></figure>')

    response = editor_client.post(story_change_url(published_article), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert f"at most {MAX_GALLERY} pictures" in page and "Kept." in page


def test_ids_too_big_for_any_database_are_dropped_not_a_server_error(
    editor_client, published_article, region, rubric
):
    assert sanitize_html('<figure data-image="9999999999999999999"></figure>') == (
        "<figure></figure>"
    )
    data = form_data(
        published_article,
        lead_image="99999999999999999999",
        body='<figure data-gallery="1 99999999999999999999"></figure>',
    )

    response = editor_client.post(story_change_url(published_article), data)

    assert response.status_code == 200
    assert "lead_image" in response.context["adminform"].form.errors


def test_saving_a_story_with_a_plain_link_again_asks_no_one_and_drops_no_page(db):
    url = "https://example.org/a-report"
    fetch_embeds([url])
    assert Embed.objects.get().status == Embed.Status.UNKNOWN_PROVIDER

    with mock.patch.object(page_changes, "embed_changed") as told:
        fetch_embeds([url])

    assert not told.called


def test_an_embed_fetched_again_with_a_new_title_refreshes_the_stories_showing_it(
    make_article,
):
    url = "https://www.youtube.com/watch?v=abc"
    embed = Embed.objects.create(url=url, provider="youtube", status="ok", title="Old")
    make_article(body=f'<figure data-embed="{url}"></figure>')

    with mock.patch.object(page_changes, "stories_changed") as told:
        embed.title = "New"
        embed.save()

    [stories], _kwargs = told.call_args
    assert [story.body for story in stories] == [f'<figure data-embed="{url}"></figure>']
