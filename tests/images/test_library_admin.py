"""The image library in the admin, as editors and authors use it.

Upload a picture (renditions made on save), find it again (search, filters), see which
stories use it, and delete it only when none does. Authors add images and describe their
own; editors everything.
"""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from images.models import Image
from tests.helpers import logged_in, picture_bytes

ADD_URL = reverse("admin:images_image_add")
CHANGELIST_URL = reverse("admin:images_image_changelist")
PROTECTED = "would require deleting the following protected related objects"


def change_url(image: Image) -> str:
    return reverse("admin:images_image_change", args=[image.pk])


def delete_url(image: Image) -> str:
    return reverse("admin:images_image_delete", args=[image.pk])


def story_change_url(story) -> str:
    return reverse("admin:articles_article_change", args=[story.pk])


def upload_data(name: str = "harbour.jpg", **fields) -> dict:
    """Return what the library's add form posts: a picture, and its description."""
    data = {
        "file": SimpleUploadedFile(name, picture_bytes((640, 400)), content_type="image/jpeg"),
        "title": "",
        "alt_text": "Fishing boats moored in the harbour at dusk",
        "caption": "",
        "credit": "",
        "source": "",
        "focal_x": "0.5",
        "focal_y": "0.5",
        "tags": "",
    }
    data.update(fields)
    return data


def change_data(image: Image, **fields) -> dict:
    """Return what the change form posts for *image*, keeping its file."""
    data = {
        "title": image.title,
        "alt_text": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "source": image.source,
        "focal_x": str(image.focal_x),
        "focal_y": str(image.focal_y),
        "tags": ", ".join(image.tags.names()),
    }
    data.update(fields)
    return data


def files_of(image: Image) -> list[str]:
    return [image.file.name, *(v for k, v in image.renditions.items() if k != "focal")]


def listed(client, **query) -> list[str]:
    response = client.get(CHANGELIST_URL, query)
    assert response.status_code == 200
    return [image.title for image in response.context["cl"].result_list]


# -- Uploading ---------------------------------------------------------------------------


def test_editor_uploads_an_image_named_after_its_file_with_renditions(
    editor_client, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(ADD_URL, upload_data("harbour_at-dusk.jpg"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    image = Image.objects.get()
    assert image.title == "harbour at dusk"
    assert image.alt_text == "Fishing boats moored in the harbour at dusk"
    assert image.uploaded_by == editor
    assert (image.width, image.height) == (640, 400)
    assert image.is_processed
    assert any(key.startswith("3x2-") for key in image.renditions)
    assert all(default_storage.exists(name) for name in files_of(image))
    # The list shows it, with its thumbnail.
    page = editor_client.get(CHANGELIST_URL).content.decode()
    assert "harbour at dusk" in page
    assert default_storage.url(image.renditions["1x1-160.jpg"]) in page


def test_a_title_typed_is_kept(editor_client):
    response = editor_client.post(ADD_URL, upload_data(title="Poti harbour, October"))

    assert response.status_code == 302
    assert Image.objects.get().title == "Poti harbour, October"


# -- Finding an image ----------------------------------------------------------------------


def test_editor_finds_images_by_title_credit_and_keyword(editor_client, make_image):
    make_image(title="Harbour at dusk", credit="Timur Aliev")
    make_image(title="Election night", credit="Nino Beridze").tags.add("protest", "Tbilisi")
    make_image(title="Tea fields", credit="Staff")

    assert listed(editor_client, q="harbour") == ["Harbour at dusk"]
    assert listed(editor_client, q="aliev") == ["Harbour at dusk"]
    assert listed(editor_client, q="protest") == ["Election night"]
    # One row per image, however many of its keywords match.
    assert listed(editor_client, q="t").count("Election night") == 1


def test_editor_filters_unused_images(editor_client, make_image, make_article):
    lead = make_image(title="On the front page")
    figure = make_image(title="In a story's text")
    make_image(title="Never used")
    make_article(lead_image=lead)
    make_article(body=f'<p>Text.</p><figure data-image="{figure.pk}"></figure>')

    assert listed(editor_client, use="unused") == ["Never used"]
    assert sorted(listed(editor_client, use="used")) == ["In a story's text", "On the front page"]


def test_editor_filters_images_missing_alt_text(editor_client, make_image):
    make_image(title="Described", alt_text="Boats in the harbour")
    make_image(title="Undescribed", alt_text="")

    assert listed(editor_client, alt="missing") == ["Undescribed"]
    assert listed(editor_client, alt="present") == ["Described"]


# -- Where an image is used ----------------------------------------------------------------


def test_change_page_links_the_stories_using_it_as_lead_image(
    editor_client, make_image, make_article
):
    image = make_image()
    story = make_article(title="Boats return to Poti", lead_image=image)

    page = editor_client.get(change_url(image)).content.decode()

    assert f'<a href="{story_change_url(story)}">Boats return to Poti</a>' in page


def test_change_page_links_the_stories_showing_it_in_their_text(
    editor_client, make_image, make_article
):
    image = make_image()
    story = make_article(
        title="A crossing in pictures",
        body=f'<p>Text.</p><figure data-image="{image.pk}"></figure>',
    )

    page = editor_client.get(change_url(image)).content.decode()

    assert f'<a href="{story_change_url(story)}">A crossing in pictures</a>' in page


def test_change_page_names_every_story_using_it(editor_client, make_image, make_article):
    image = make_image()
    make_article(title="Boats return to Poti", lead_image=image)
    make_article(
        title="A crossing in pictures",
        body=f'<p>Text.</p><figure data-image="{image.pk}"></figure>',
    )
    unused = make_image()

    page = editor_client.get(change_url(image)).content.decode()

    assert "Boats return to Poti" in page
    assert "A crossing in pictures" in page
    assert "Not used yet." in editor_client.get(change_url(unused)).content.decode()


# -- Deleting --------------------------------------------------------------------------------


@pytest.fixture
def used_images(make_image, make_article):
    """Return two images: one a story's lead image, one shown in another story's text."""
    lead = make_image(title="Lead picture")
    figure = make_image(title="Figure picture")
    make_article(title="Boats return to Poti", lead_image=lead)
    make_article(
        title="A crossing in pictures",
        body=f'<p>Text.</p><figure data-image="{figure.pk}"></figure>',
    )
    return {"Boats return to Poti": lead, "A crossing in pictures": figure}


def test_deleting_an_image_a_story_uses_is_refused_naming_the_story(editor_client, used_images):
    for title, image in used_images.items():
        page = editor_client.get(delete_url(image))
        assert page.status_code == 200
        assert PROTECTED in page.text, title
        assert title in " ".join(str(item) for item in page.context["protected"])

        response = editor_client.post(delete_url(image), {"post": "yes"})

        assert response.status_code == 200
        assert PROTECTED in response.text
        assert title in response.text
        assert Image.objects.filter(pk=image.pk).exists()
        assert all(default_storage.exists(name) for name in files_of(image))


def test_bulk_deleting_images_a_story_uses_is_refused_naming_the_stories(
    editor_client, used_images, make_image
):
    unused = make_image(title="Unused picture")
    selected = [*used_images.values(), unused]

    response = editor_client.post(
        CHANGELIST_URL,
        {"action": "delete_selected", "_selected_action": [i.pk for i in selected], "post": "yes"},
    )

    assert response.status_code == 200
    assert PROTECTED in response.text
    for title in used_images:
        assert title in response.text
    # Nothing is deleted, not even the unused one: the action is refused as a whole.
    assert Image.objects.count() == 3


def test_deleting_an_unused_image_removes_its_files_after_commit(
    editor_client, make_image, django_capture_on_commit_callbacks
):
    image = make_image()
    names = files_of(image)

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(delete_url(image), {"post": "yes"})
        # Until the deletion is committed the files stay: a rollback keeps a whole image.
        assert all(default_storage.exists(name) for name in names)

    assert response.status_code == 302
    assert not Image.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_bulk_deleting_unused_images_removes_their_files(
    editor_client, make_image, django_capture_on_commit_callbacks
):
    images = [make_image(), make_image()]
    names = [name for image in images for name in files_of(image)]

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            CHANGELIST_URL,
            {
                "action": "delete_selected",
                "_selected_action": [image.pk for image in images],
                "post": "yes",
            },
        )

    assert response.status_code == 302
    assert not Image.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


# -- Authors -----------------------------------------------------------------------------------


def test_author_uploads_and_describes_their_own_image(
    author_user, django_capture_on_commit_callbacks
):
    client = logged_in(author_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD_URL, upload_data(title="Market in Osh"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    image = Image.objects.get()
    assert image.uploaded_by == author_user
    assert image.is_processed
    assert client.get(change_url(image)).status_code == 200

    response = client.post(
        change_url(image), change_data(image, alt_text="Melon sellers at the Osh bazaar")
    )

    assert response.status_code == 302
    image.refresh_from_db()
    assert image.alt_text == "Melon sellers at the Osh bazaar"


def test_author_sees_another_users_image_read_only(author_user, editor, make_image):
    # Authors browse the whole library to choose pictures; only their own uploads are theirs
    # to change (the POST is refused below).
    image = make_image(title="Editor's picture", uploaded_by=editor)

    response = logged_in(author_user).get(change_url(image))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Editor&#x27;s picture" in page or "Editor's picture" in page
    assert 'name="_save"' not in page and 'name="alt_text"' not in page


def test_author_cannot_change_another_users_image(author_user, editor, make_image):
    image = make_image(title="Editor's picture", uploaded_by=editor, alt_text="Kept")

    response = logged_in(author_user).post(
        change_url(image), change_data(image, alt_text="Changed")
    )

    assert response.status_code == 403
    image.refresh_from_db()
    assert image.alt_text == "Kept"


def test_author_cannot_delete_an_image(author_user, make_image):
    image = make_image(uploaded_by=author_user)

    response = logged_in(author_user).post(delete_url(image), {"post": "yes"})

    assert response.status_code == 403
    assert Image.objects.filter(pk=image.pk).exists()


# -- The focal point ---------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [("focal_x", "1.5"), ("focal_y", "-0.2")])
def test_a_focal_point_outside_the_picture_is_refused_on_upload(
    editor_client, media_root, field, value
):
    response = editor_client.post(ADD_URL, upload_data(**{field: value}))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field]
    limit = "less than or equal to 1" if value == "1.5" else "greater than or equal to 0"
    assert limit in str(errors[field])
    assert not Image.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def test_a_focal_point_outside_the_picture_is_refused_on_change(editor_client, make_image):
    image = make_image()
    renditions = dict(image.renditions)

    response = editor_client.post(change_url(image), change_data(image, focal_x="2"))

    assert response.status_code == 200
    assert "less than or equal to 1" in str(response.context["adminform"].form.errors["focal_x"])
    image.refresh_from_db()
    assert (image.focal_x, image.renditions) == (0.5, renditions)


def test_moving_the_focal_point_redraws_the_crops(editor_client, make_image):
    image = make_image()

    response = editor_client.post(change_url(image), change_data(image, focal_x="0.2"))

    assert response.status_code == 302
    image.refresh_from_db()
    assert image.focal_x == 0.2
    assert image.is_processed
    assert image.renditions["focal"] == "0.2000,0.5000"
