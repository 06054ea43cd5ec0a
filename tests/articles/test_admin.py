"""The story admin as editors use it: the list, bulk actions, history, editor and images."""

import re

from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_prose_editor.config import allowlist_from_extensions
from taggit.models import Tag

from articles.forms import BODY_EDITOR_EXTENSIONS
from articles.models import Article, Author
from articles.sanitizer import ALLOWED_ATTRIBUTES, ALLOWED_CLASSES, ALLOWED_TAGS, sanitize_html
from images.models import Image
from tests.helpers import change_url, form_data

ADD_URL = reverse("admin:articles_article_add")
CHANGELIST_URL = reverse("admin:articles_article_changelist")


def listed_image(number: int, **fields) -> Image:
    """Return a library image whose files do not exist: enough for the list, and quick.

    With its size known, the image field never tries to open the file.
    """
    fields.setdefault("renditions", {"3x2-320.jpg": f"images/2025/05/{number}-3x2-320.jpg"})
    return Image.objects.create(
        title=f"Picture {number}",
        file=f"images/2025/05/{number}.jpg",
        width=1600,
        height=900,
        alt_text="A picture",
        **fields,
    )


def narrowest_teaser(image: Image) -> str:
    """Return the URL of the narrowest 3:2 JPEG of *image*: the list's thumbnail."""
    widths = {
        int(key[len("3x2-") : -len(".jpg")]): name
        for key, name in image.renditions.items()
        if key.startswith("3x2-") and key.endswith(".jpg")
    }
    return default_storage.url(widths[min(widths)])


def run_action(client, action: str, stories):
    return client.post(
        CHANGELIST_URL,
        {"action": action, "_selected_action": [story.pk for story in stories]},
        follow=True,
    )


def offered_actions(client) -> set[str]:
    response = client.get(CHANGELIST_URL)
    return {name for name, _label in response.context["action_form"].fields["action"].choices}


# -- The list ----------------------------------------------------------------------------


def test_changelist_shows_the_story_columns(editor_client, make_article, make_image):
    writer = Author.objects.create(name="Nino Beridze", slug="nino-beridze")
    image = make_image(alt_text="A harbour")
    with_image = make_article(title="Pictured story", authors=[writer], lead_image=image)
    draft = make_article(title="Unfinished", status=Article.Status.DRAFT)

    response = editor_client.get(CHANGELIST_URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Pictured story" in content
    assert "Nino Beridze" in content
    assert f'src="{narrowest_teaser(image)}"' in content
    assert reverse("articles:preview", kwargs={"pk": draft.pk}) in content
    assert reverse("articles:preview", kwargs={"pk": with_image.pk}) not in content
    # One image in the list: the story without a lead image gets a blank cell.
    assert content.count('<img src="/media/images/') == 1


def test_thumbnail_is_blank_until_the_image_is_processed(editor_client, make_article):
    # Once, the raw upload stood in for missing renditions; it may still carry its metadata
    # (GPS), so nothing is shown until the renditions exist.
    image = listed_image(1, renditions={})
    make_article(title="Fresh picture", lead_image=image)

    content = editor_client.get(CHANGELIST_URL).content.decode()

    assert "Fresh picture" in content
    assert image.file.url not in content
    assert '<img src="/media/' not in content


def test_changelist_runs_the_same_queries_for_3_and_30_stories(editor_client, make_article):
    writers = [Author.objects.create(name=f"Writer {n}", slug=f"writer-{n}") for n in range(3)]

    def add_stories(count):
        for _ in range(count):
            number = Article.objects.count()
            make_article(
                authors=writers[: 1 + number % 3],
                tags=["energy", f"topic-{number}"],
                lead_image=listed_image(number),
            )

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.get(CHANGELIST_URL)
        assert response.status_code == 200
        assert (
            response.content.decode().count('<img src="/media/images/') == Article.objects.count()
        )
        return len(queries)

    add_stories(3)
    few = count_queries()
    add_stories(27)
    many = count_queries()

    assert Article.objects.count() == 30
    assert many == few


def test_changelist_filters_by_tag_and_status_and_searches_the_body(editor_client, make_article):
    make_article(title="Pipeline politics", tags=["energy"], body="<p>Gas and oil.</p>")
    make_article(title="Election night", tags=["elections"], status=Article.Status.DRAFT)

    def titles(query):
        response = editor_client.get(CHANGELIST_URL, query)
        assert response.status_code == 200
        return [story.title for story in response.context["cl"].result_list]

    energy = Tag.objects.get(name="energy")
    assert titles({"tags__id__exact": energy.pk}) == ["Pipeline politics"]
    assert titles({"status__exact": "draft"}) == ["Election night"]
    assert titles({"q": "oil"}) == ["Pipeline politics"]


def test_view_on_site_points_drafts_at_the_staff_preview(editor_client, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    published = make_article()

    draft_page = editor_client.get(change_url(draft)).content.decode()
    published_page = editor_client.get(change_url(published)).content.decode()

    assert reverse("articles:preview", kwargs={"pk": draft.pk}) in draft_page
    assert published.get_absolute_url() in published_page


# -- Bulk actions ------------------------------------------------------------------------


def test_editor_publishes_selected_stories_with_one_update(editor_client, make_article):
    drafts = [make_article(status=Article.Status.DRAFT) for _ in range(3)]

    with CaptureQueriesContext(connection) as queries:
        response = run_action(editor_client, "publish_selected", drafts)

    assert "3 stories published." in response.content.decode()
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len([sql for sql in updates if "articles_article" in sql]) == 1
    assert Article.objects.published().count() == 3


def test_editor_unpublishes_selected_stories(editor_client, make_article):
    stories = [make_article() for _ in range(2)]

    response = run_action(editor_client, "unpublish_selected", stories)

    assert "2 stories taken off the site" in response.content.decode()
    assert not Article.objects.published().exists()


def test_editor_sends_selected_stories_to_review(editor_client, make_article):
    stories = [make_article(status=Article.Status.DRAFT), make_article()]

    run_action(editor_client, "send_to_review_selected", stories)

    assert set(Article.objects.values_list("status", flat=True)) == {Article.Status.REVIEW}


def test_author_is_not_offered_publishing_actions(client, author_user, editor):
    client.force_login(author_user)
    assert offered_actions(client) == {"", "send_to_review_selected"}

    client.force_login(editor)
    assert {"publish_selected", "unpublish_selected", "delete_selected"} <= offered_actions(client)


def test_author_posting_the_publish_action_anyway_changes_nothing(
    client, author_user, make_article
):
    story = make_article(
        status=Article.Status.DRAFT, authors=[author_user.author_profile], created_by=author_user
    )
    client.force_login(author_user)

    response = run_action(client, "publish_selected", [story])

    assert response.status_code == 200
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT


def test_author_sends_own_draft_to_review_but_not_others(client, author_user, make_article):
    own = make_article(status=Article.Status.DRAFT, created_by=author_user)
    foreign = make_article(status=Article.Status.DRAFT)
    client.force_login(author_user)

    run_action(client, "send_to_review_selected", [own, foreign])

    own.refresh_from_db()
    foreign.refresh_from_db()
    assert own.status == Article.Status.REVIEW
    assert foreign.status == Article.Status.DRAFT


# -- History -----------------------------------------------------------------------------


def test_history_shows_the_previous_version_and_reverts_to_it(
    editor_client, editor, region, rubric
):
    first = Author.objects.create(name="Nino Beridze", slug="nino-beridze")
    second = Author.objects.create(name="Timur Aliev", slug="timur-aliev")
    editor_client.post(
        ADD_URL,
        form_data(
            title="First headline",
            body="<p>First body.</p>",
            authors=[first.pk],
            tags="energy",
            rubric=rubric.pk,
            region=region.pk,
        ),
    )
    story = Article.objects.get()
    editor_client.post(
        change_url(story),
        form_data(
            story,
            title="Second headline",
            body="<p>Rewritten.</p>",
            authors=[second.pk],
            tags="gas",
        ),
    )
    story.refresh_from_db()
    assert story.title == "Second headline"

    history_url = reverse("admin:articles_article_history", args=[story.pk])
    history = editor_client.get(history_url).content.decode()
    assert "First headline" in history
    assert "Nino Beridze" in history
    assert "edna" in history

    old_version = story.history.filter(title="First headline").latest()
    revert_url = reverse(
        "admin:articles_article_simple_history", args=[story.pk, old_version.history_id]
    )
    page = editor_client.get(revert_url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert form.initial["authors"] == [first.pk]
    assert form.initial["tags"] == "energy"

    response = editor_client.post(
        revert_url,
        form_data(old_version.instance, authors=form.initial["authors"], tags=form.initial["tags"]),
    )

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == "First headline"
    assert story.body == "<p>First body.</p>"
    assert list(story.authors.all()) == [first]
    assert list(story.tags.names()) == ["energy"]
    latest = story.history.latest()
    assert latest.history_user == editor
    assert latest.history_change_reason.startswith("Reverted to the version of")
    assert latest.author_names() == "Nino Beridze"


# -- The body editor ---------------------------------------------------------------------


def test_add_page_renders_the_prose_editor(editor_client):
    content = editor_client.get(ADD_URL).content.decode()

    assert "data-django-prose-editor-configurable" in content
    assert "django_prose_editor/editor.js" in content
    assert '<script type="importmap"' in content


def test_editor_scripts_carry_the_csp_nonce_on_add_and_revert_pages(editor_client, make_article):
    story = make_article()
    version = story.history.latest()
    revert_url = reverse("admin:articles_article_simple_history", args=[story.pk, version.pk])

    for url in (ADD_URL, revert_url):
        response = editor_client.get(url)
        policy = response.headers["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        importmap = re.search(r'<script type="importmap"[^>]*>', response.content.decode())
        assert importmap and f'nonce="{nonce}"' in importmap.group(0), url


def test_editor_extensions_only_produce_html_the_sanitiser_keeps():
    allowlist = allowlist_from_extensions(BODY_EDITOR_EXTENSIONS)

    assert allowlist["tags"] <= ALLOWED_TAGS
    # rel is replaced by the sanitiser's own link_rel; ol type only restates the default.
    harmless = {"a": {"rel", "target"}, "ol": {"type", "data-type"}}
    # class is kept where the sanitiser names the classes it keeps (the pull quote's only).
    classed = {tag: {"class"} for tag in ALLOWED_CLASSES}
    for tag, attributes in allowlist["attributes"].items():
        extra = (
            set(attributes)
            - ALLOWED_ATTRIBUTES.get(tag, set())
            - harmless.get(tag, set())
            - classed.get(tag, set())
        )
        assert not extra, (tag, extra)


def test_formatted_body_survives_the_sanitiser():
    # The kind of HTML the editor writes, one of each thing it can do.
    body = (
        "<h2>Section</h2><h3>Sub</h3><p><strong>b</strong> <em>i</em> <u>u</u> <s>s</s> "
        'H<sub>2</sub>O x<sup>2</sup> <a href="https://example.org/a">link</a><br>line</p>'
        '<ul><li><p>one</p></li></ul><ol start="3"><li><p>three</p></li></ol>'
        "<blockquote><p>quote</p></blockquote><hr>"
        '<table><tbody><tr><th colspan="1" rowspan="1"><p>h</p></th></tr>'
        '<tr><td colspan="1" rowspan="1"><p>c</p></td></tr></tbody></table>'
        '<blockquote class="pull-quote"><p>pulled</p></blockquote>'
        '<figure data-image="12" data-size="wide"></figure><figure data-gallery="1 2 3"></figure>'
        '<p>Noted<span data-footnote="The source."></span></p>'
    )

    def tags(html):
        return re.findall(r"<(\w+)", html)

    cleaned = sanitize_html(body)
    assert tags(cleaned) == tags(body)
    for kept in (
        'class="pull-quote"',
        'data-image="12"',
        'data-size="wide"',
        'data-gallery="1 2 3"',
        'data-footnote="The source."',
    ):
        assert kept in cleaned, kept


def test_story_body_from_the_editor_is_sanitised_on_save(editor_client, region, rubric):
    body = '<p onclick="steal()">Hi <a href="javascript:alert(1)">there</a></p><script>x</script>'

    editor_client.post(ADD_URL, form_data(body=body, rubric=rubric.pk, region=region.pk))

    stored = Article.objects.get().body
    assert "onclick" not in stored
    assert "javascript:" not in stored
    assert "<script" not in stored
    assert "Hi" in stored


# -- Lead image: chosen from the image library -------------------------------------------


def test_lead_image_without_alt_text_is_refused_and_the_story_kept(
    editor_client, region, rubric, make_image
):
    image = make_image(title="Harbour at dusk", alt_text="")
    data = form_data(
        title="Boats return to Poti",
        body="<p>The fishing fleet came back before the storm.</p>",
        rubric=rubric.pk,
        region=region.pk,
        lead_image=image.pk,
    )

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["lead_image"]
    assert [error.code for error in form.errors.as_data()["lead_image"]] == ["no_alt_text"]
    message = str(form.errors["lead_image"])
    assert "Harbour at dusk" in message
    assert "no alt text" in message and "image library" in message
    assert not Article.objects.exists()
    # Everything typed comes back, the chosen image too.
    assert form["title"].value() == "Boats return to Poti"
    html = response.content.decode()
    assert "Boats return to Poti" in html
    assert "The fishing fleet came back before the storm." in html
    assert str(form["lead_image"].value()) == str(image.pk)


def test_lead_image_with_alt_text_is_saved_and_shows_its_renditions(
    editor_client, region, rubric, make_image
):
    image = make_image(alt_text="Boats in the harbour at dusk")
    data = form_data(rubric=rubric.pk, region=region.pk, lead_image=image.pk)

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 302
    story = Article.objects.get()
    assert story.lead_image == image
    assert any(key.startswith("full-320.") for key in story.lead_image.renditions)
    # The version in History points at the library image.
    assert story.history.latest().lead_image_id == image.pk


def test_a_lead_image_that_is_not_in_the_library_is_refused(editor_client, region, rubric):
    # Files are checked where they are uploaded, in the library (tests/security/test_uploads.py);
    # the story form accepts only an image of the library.
    data = form_data(rubric=rubric.pk, region=region.pk, lead_image="999999")

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["lead_image"]
    assert not Article.objects.exists()


def test_a_lead_image_id_that_is_no_number_is_refused_not_a_server_error(
    editor_client, region, rubric
):
    data = form_data(rubric=rubric.pk, region=region.pk, lead_image="not-an-id")

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["lead_image"]
    assert not Article.objects.exists()


def test_existing_image_whose_alt_text_was_removed_is_refused(
    editor_client, make_article, make_image
):
    image = make_image(alt_text="Kept")
    story = make_article(lead_image=image)
    Image.objects.filter(pk=image.pk).update(alt_text=" ")

    response = editor_client.post(change_url(story), form_data(story, title="New headline"))

    assert response.status_code == 200
    assert "lead_image" in response.context["adminform"].form.errors
    story.refresh_from_db()
    assert story.title != "New headline"


def test_lead_image_autocomplete_finds_library_images(editor_client, make_image):
    make_image(title="Harbour at dusk")
    make_image(title="Election night")

    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "harbour",
            "app_label": "articles",
            "model_name": "article",
            "field_name": "lead_image",
        },
    )

    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Harbour at dusk"]


# -- Taxonomy and authors ----------------------------------------------------------------


def test_authors_autocomplete_serves_an_author_writing_a_story(client, author_user):
    Author.objects.create(name="Nino Beridze", slug="nino-beridze")
    client.force_login(author_user)

    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "nino",
            "app_label": "articles",
            "model_name": "article",
            "field_name": "authors",
        },
    )

    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Nino Beridze"]


def test_editor_manages_regions_rubrics_and_authors(editor_client):
    for name in ("region", "rubric", "author"):
        url = reverse(f"admin:articles_{name}_add")
        assert editor_client.get(url).status_code == 200


def test_slug_help_shows_an_example_address(editor_client):
    """The admin once swallowed "<slug>" as a tag and showed "/articles//."."""
    page = editor_client.get("/admin/articles/article/add/").content.decode()

    assert "/articles/the-almaty-talks/" in page
    assert "/articles//" not in page
