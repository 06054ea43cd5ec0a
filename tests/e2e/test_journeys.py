"""The newsroom's journeys, end to end in a real Chromium against the live server.

1. An editor uploads a picture to the image library, then writes a story with body
   formatting, that picture as its lead image, tags, region and rubric, saves it as a draft
   (the public gets 404), then publishes it: it appears on the home page, its region page
   and its tag page.
2. A reader leaves a review on it and is told it awaits approval; it is not public.
3. A moderator approves it in the admin queue; the reader reloads and sees it. A second
   review, rejected, never appears.
4. An author writes a story and cannot publish it.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Region, Rubric
from images.models import Image
from reviews.models import Review
from tests.e2e.conftest import jpeg_bytes, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Night ferry to Baku resumes after five years"
# The admin fills the slug in from the title as the editor types.
SLUG = "night-ferry-to-baku-resumes-after-five-years"
BODY_EDITOR = ".field-body [contenteditable=true]"
AWAITING = "Thank you — your review will appear once a moderator approves it."


@pytest.fixture
def taxonomy(db):
    region = Region.objects.create(name="South Caucasus", slug="south-caucasus", position=1)
    rubric = Rubric.objects.create(name="Analysis", slug="analysis")
    return region, rubric


@pytest.fixture
def story(taxonomy):
    """A published story with reviews open, as journey 1 leaves it."""
    region, rubric = taxonomy
    article = Article.objects.create(
        title=TITLE,
        slug=SLUG,
        teaser="The Caspian crossing is back on the timetable.",
        body="<p>The ferry leaves at <strong>midnight</strong>.</p>",
        region=region,
        rubric=rubric,
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(hours=1),
    )
    article.tags.add("ferries")
    return article


@pytest.fixture
def quick_reviews(settings):
    """Take reviews sent at browser speed as a person's (the form's timing rule would call
    anything under REVIEWS_FORM_MIN_SECONDS spam) rather than sleeping in the test."""
    settings.REVIEWS_FORM_MIN_SECONDS = 0


def public_status(page, path: str) -> int:
    response = page.goto(path)
    return response.status


def choose(page, field: str, label: str, typed: str | None = None) -> None:
    """Pick *label* in the admin's autocomplete (select2) box of *field*, as a person does:
    type *typed* (the start of *label* by default), then click the option."""
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed or label[:4])
    page.locator(".select2-results__option", has_text=label).click()
    assert page.locator(f"#id_{field} option:checked").inner_text() == label


def leave_review(page, *, name: str, email: str, body: str) -> None:
    """From the story page: follow "Write a review", fill the form in and send it."""
    page.get_by_role("link", name="Write a review").click()
    page.wait_for_url("**/review/")
    form = page.locator("#review-form")
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_label("Email", exact=True).fill(email)
    form.get_by_label("Your review").fill(body)
    form.get_by_role("button", name="Send review").click()
    page.wait_for_load_state()


def test_editor_writes_a_draft_then_publishes_it_to_home_region_and_tag_pages(
    new_page, roles_users, taxonomy
):
    editor = new_page("editor")
    reader = new_page("reader")
    log_in(editor, "edna")

    # The picture goes into the library first, described there once for every story.
    editor.goto("/admin/images/image/add/")
    editor.locator("#id_file").set_input_files(
        {"name": "night-ferry-alat.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}
    )
    editor.get_by_label("Alt text:", exact=True).fill("The ferry at the quay in Alat at dusk")
    editor.get_by_label("Caption:", exact=True).fill("Boarding starts two hours before departure.")
    editor.get_by_label("Credit").fill("Newsroom")
    editor.get_by_role("button", name="Save", exact=True).click()
    editor.wait_for_url("**/admin/images/image/")
    assert editor.locator(".messagelist .success").count() == 1, editor.content()
    picture = Image.objects.get()
    # Left empty, the title is made from the file's name.
    assert picture.title == "night ferry alat"
    assert picture.is_processed and picture.uploaded_by == roles_users["edna"]

    editor.goto("/admin/articles/article/add/")
    editor.get_by_label("Title").press_sequentially(TITLE)
    assert editor.locator("#id_slug").input_value() == SLUG
    editor.get_by_label("Teaser").fill("The Caspian crossing is back on the timetable.")
    editor.locator(BODY_EDITOR).click()
    editor.keyboard.type("## Tickets\n")
    editor.keyboard.press("Control+b")
    editor.keyboard.type("Cabins sell out")
    editor.keyboard.press("Control+b")
    editor.keyboard.type(" within hours, ")
    editor.keyboard.press("Control+i")
    editor.keyboard.type("say the port staff")
    editor.keyboard.press("Control+i")
    editor.keyboard.type(".")
    choose(editor, "lead_image", "night ferry alat", typed="ferry")
    editor.locator("#id_status").select_option("draft")
    choose(editor, "rubric", "Analysis")
    choose(editor, "region", "South Caucasus")
    editor.locator("#id_tags").fill("ferries, Caspian Sea")
    editor.get_by_role("button", name="Save and continue editing").click()
    editor.wait_for_load_state()
    assert editor.locator(".messagelist .success").count() == 1, editor.content()

    article = Article.objects.get(slug=SLUG)
    assert article.status == Article.Status.DRAFT
    assert "<h2>Tickets</h2>" in article.body
    assert "<strong>Cabins sell out</strong>" in article.body
    assert "<em>say the port staff</em>" in article.body
    assert article.lead_image == picture
    assert sorted(article.tags.names()) == ["Caspian Sea", "ferries"]

    # A draft: not on the site.
    assert public_status(reader, f"/articles/{SLUG}/") == 404
    reader.goto("/")
    assert reader.get_by_text(TITLE).count() == 0

    editor.locator("#id_status").select_option("published")
    editor.get_by_role("button", name="Save and continue editing").click()
    editor.wait_for_load_state()
    assert editor.locator(".messagelist .success").count() == 1

    reader.goto("/")
    reader.get_by_role("link", name=TITLE).first.click()
    reader.wait_for_url(f"**/articles/{SLUG}/")
    assert reader.get_by_role("heading", level=1).inner_text() == TITLE
    assert reader.locator(".story__body strong").inner_text() == "Cabins sell out"
    assert reader.locator(".story__body em").inner_text() == "say the port staff"
    image = reader.locator(".story__figure img")
    assert image.get_attribute("alt") == "The ferry at the quay in Alat at dusk"
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert image.get_attribute("src").startswith("/media/images/")
    caption = reader.locator(".story__figure figcaption").inner_text()
    assert "Boarding starts two hours before departure." in caption
    assert "Newsroom" in caption

    for path in ("/regions/south-caucasus/", "/tags/ferries/", "/tags/caspian-sea/"):
        assert public_status(reader, path) == 200
        assert reader.get_by_role("link", name=TITLE).count() >= 1, path


def test_reader_review_waits_for_approval_and_is_not_public(new_page, story, quick_reviews):
    reader = new_page("reader")
    reader.goto(f"/articles/{SLUG}/")

    leave_review(
        reader,
        name="Leyla Mammadova",
        email="leyla@example.org",
        body="I took this ferry in 2018.\nGood to hear it runs again.",
    )

    assert reader.url.endswith(f"/articles/{SLUG}/review/")
    assert reader.get_by_role("status").filter(has_text=AWAITING).count() == 1
    reader.get_by_role("link", name="Back to").click()
    reader.wait_for_url(f"**/articles/{SLUG}/#reviews")
    assert reader.get_by_text("I took this ferry in 2018.").count() == 0
    review = Review.objects.get()
    assert review.status == Review.Status.PENDING
    # Nor does anyone else see it.
    stranger = new_page("stranger")
    stranger.goto(f"/articles/{SLUG}/")
    assert stranger.get_by_text("I took this ferry in 2018.").count() == 0
    assert stranger.locator("#reviews-heading").inner_text() == "0 reviews"


def test_moderator_approves_one_review_and_rejects_another(
    new_page, story, roles_users, quick_reviews
):
    reader = new_page("reader")
    reader.goto(f"/articles/{SLUG}/")
    leave_review(
        reader,
        name="Leyla Mammadova",
        email="leyla@example.org",
        body="I took this ferry in 2018. Good to hear it runs again.",
    )
    reader.goto(f"/articles/{SLUG}/")
    leave_review(
        reader,
        name="Troll",
        email="troll@example.org",
        body="Nobody cares about ferries, fake news.",
    )
    assert Review.objects.filter(status=Review.Status.PENDING).count() == 2

    moderator = new_page("moderator")
    log_in(moderator, "mona")
    # The admin index shows the queue's state; the queue itself is one click away.
    assert moderator.locator("#review-queue-summary .queue-pending").inner_text() == "2"
    moderator.locator("tr.model-review th a").click()
    moderator.wait_for_url("**/admin/reviews/review/")
    queue = moderator.locator("#result_list tbody tr")
    assert queue.count() == 2
    first_row = queue.filter(has_text="Leyla Mammadova")
    assert "Pending" in first_row.inner_text()
    first_row.get_by_role("button", name="Approve").click()
    moderator.wait_for_load_state()
    assert "approved" in moderator.locator(".messagelist").inner_text()
    moderator.locator("#result_list tbody tr").filter(has_text="Troll").get_by_role(
        "button", name="Reject"
    ).click()
    moderator.wait_for_load_state()
    assert "rejected" in moderator.locator(".messagelist").inner_text()

    reader.goto(f"/articles/{SLUG}/")
    reviews = reader.locator("#reviews .review")
    assert reviews.count() == 1
    assert "I took this ferry in 2018." in reviews.first.inner_text()
    assert reader.locator("#reviews-heading").inner_text() == "1 review"
    assert reader.get_by_text("Nobody cares about ferries").count() == 0
    assert reader.get_by_text("troll@example.org").count() == 0
    assert reader.get_by_text("leyla@example.org").count() == 0


def test_author_writes_a_story_but_cannot_publish_it(new_page, roles_users, taxonomy):
    author = new_page("author")
    log_in(author, "arthur")

    author.goto("/admin/articles/article/add/")
    statuses = author.locator("#id_status option").evaluate_all(
        "options => options.map(option => option.value)"
    )
    assert "published" not in statuses
    author.get_by_label("Title").press_sequentially("Border queues in Upper Lars")
    author.get_by_label("Teaser").fill("Lorries wait three days at the crossing.")
    author.locator(BODY_EDITOR).click()
    author.keyboard.type("The queue reached twelve kilometres on Monday.")
    choose(author, "rubric", "Analysis")
    choose(author, "region", "South Caucasus")
    author.locator("#id_status").select_option("review")
    author.get_by_role("button", name="Save and continue editing").click()
    author.wait_for_load_state()
    article = Article.objects.get(slug="border-queues-in-upper-lars")
    assert article.status == Article.Status.REVIEW
    assert roles_users["arthur"].author_profile in article.authors.all()

    # What the browser offers is not the rule: a forged "published" is refused by the server.
    author.locator("#id_status").evaluate(
        "select => { select.add(new Option('Published', 'published'));"
        " select.value = 'published'; }"
    )
    author.get_by_role("button", name="Save and continue editing").click()
    author.wait_for_load_state()
    refusal = author.locator(".field-status .errorlist")
    assert "You cannot publish stories." in refusal.inner_text()
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW

    # No publish action in the list either.
    author.goto("/admin/articles/article/")
    actions = author.locator("select[name=action] option").evaluate_all(
        "options => options.map(option => option.value)"
    )
    assert "publish_selected" not in actions
    reader = new_page("reader")
    assert public_status(reader, "/articles/border-queues-in-upper-lars/") == 404
