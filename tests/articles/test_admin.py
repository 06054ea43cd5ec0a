"""The story admin as editors use it: the list, bulk actions, history, editor and images."""

import io
import re

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_prose_editor.config import allowlist_from_extensions
from PIL import Image
from taggit.models import Tag

from articles.forms import BODY_EDITOR_EXTENSIONS
from articles.models import Article, Author
from articles.sanitizer import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, sanitize_html
from tests.helpers import change_url, form_data

ADD_URL = reverse("admin:articles_article_add")
CHANGELIST_URL = reverse("admin:articles_article_changelist")
# Stories made in tests name an image file that does not exist; with its size known, the
# ImageField never tries to open it.
IMAGE_SIZE = {"lead_image_width": 1600, "lead_image_height": 900}


def jpeg_upload(name: str = "harbour.jpg", size: tuple[int, int] = (900, 600)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


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


def test_changelist_shows_the_story_columns(editor_client, make_article):
    writer = Author.objects.create(name="Nino Beridze", slug="nino-beridze")
    with_image = make_article(
        title="Pictured story",
        authors=[writer],
        lead_image="articles/2025/05/original.jpg",
        **IMAGE_SIZE,
        lead_image_alt="A harbour",
        lead_image_renditions={"320.jpg": "articles/2025/05/thumb-320.jpg"},
    )
    draft = make_article(title="Unfinished", status=Article.Status.DRAFT)

    response = editor_client.get(CHANGELIST_URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Pictured story" in content
    assert "Nino Beridze" in content
    assert 'src="/media/articles/2025/05/thumb-320.jpg"' in content
    assert reverse("articles:preview", kwargs={"pk": draft.pk}) in content
    assert reverse("articles:preview", kwargs={"pk": with_image.pk}) not in content
    # One image in the list: the story without a lead image gets a blank cell.
    assert content.count('<img src="/media/articles/') == 1


def test_thumbnail_falls_back_to_the_original_before_renditions_exist(editor_client, make_article):
    make_article(lead_image="articles/2025/05/fresh.jpg", lead_image_alt="Fresh", **IMAGE_SIZE)

    content = editor_client.get(CHANGELIST_URL).content.decode()

    assert 'src="/media/articles/2025/05/fresh.jpg"' in content


def test_changelist_runs_the_same_queries_for_3_and_30_stories(editor_client, make_article):
    writers = [Author.objects.create(name=f"Writer {n}", slug=f"writer-{n}") for n in range(3)]

    def add_stories(count):
        for number in range(count):
            make_article(
                authors=writers[: 1 + number % 3],
                tags=["energy", f"topic-{number}"],
                lead_image=f"articles/2025/05/{number}.jpg",
                **IMAGE_SIZE,
                lead_image_alt="A picture",
                lead_image_renditions={"320.jpg": f"articles/2025/05/{number}-320.jpg"},
            )

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.get(CHANGELIST_URL)
        assert response.status_code == 200
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
    for tag, attributes in allowlist["attributes"].items():
        extra = set(attributes) - ALLOWED_ATTRIBUTES.get(tag, set()) - harmless.get(tag, set())
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
    )

    def tags(html):
        return re.findall(r"<(\w+)", html)

    assert tags(sanitize_html(body)) == tags(body)


def test_story_body_from_the_editor_is_sanitised_on_save(editor_client, region, rubric):
    body = '<p onclick="steal()">Hi <a href="javascript:alert(1)">there</a></p><script>x</script>'

    editor_client.post(ADD_URL, form_data(body=body, rubric=rubric.pk, region=region.pk))

    stored = Article.objects.get().body
    assert "onclick" not in stored
    assert "javascript:" not in stored
    assert "<script" not in stored
    assert "Hi" in stored


# -- Lead image --------------------------------------------------------------------------


def test_lead_image_needs_alt_text(editor_client, region, rubric):
    data = form_data(rubric=rubric.pk, region=region.pk, lead_image=jpeg_upload())

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["lead_image_alt"]
    assert "alt text is required" in str(form.errors["lead_image_alt"])
    assert not Article.objects.exists()


def test_lead_image_with_alt_text_is_saved_with_renditions(editor_client, region, rubric):
    data = form_data(
        rubric=rubric.pk,
        region=region.pk,
        lead_image=jpeg_upload(),
        lead_image_alt="Boats in the harbour at dusk",
    )

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 302
    story = Article.objects.get()
    assert story.lead_image
    assert "320.jpg" in story.lead_image_renditions
    # The version in History points at the processed image, not the deleted upload.
    assert story.history.latest().lead_image == story.lead_image.name


def test_a_file_that_is_not_an_image_is_refused_with_a_message(editor_client, region, rubric):
    fake = SimpleUploadedFile("report.jpg", b"%PDF-1.7 not a picture", content_type="image/jpeg")
    data = form_data(rubric=rubric.pk, region=region.pk, lead_image=fake, lead_image_alt="x")

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["lead_image"]
    assert not Article.objects.exists()


def test_existing_image_without_alt_text_is_refused(editor_client, make_article):
    name = default_storage.save("articles/2025/05/kept.jpg", jpeg_upload())
    story = make_article(lead_image=name, lead_image_alt="Kept", **IMAGE_SIZE)

    response = editor_client.post(change_url(story), form_data(story, lead_image_alt=" "))

    assert response.status_code == 200
    assert "lead_image_alt" in response.context["adminform"].form.errors


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
