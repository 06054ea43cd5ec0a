"""The admin on a laptop (1280 px, the menu open beside the page) and on a tablet (768 px).

On the dashboard, the story list, the story form (new and existing) and the moderation
queue: axe finds nothing serious or critical, the page needs no sideways scrolling, and every
link, button and field can be reached without it (none sits past the right edge, nor is cut
off inside a box that scrolls sideways).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Author, Region, Rubric
from reviews.models import Review
from tests.e2e.conftest import blocking_violations, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"laptop": (1280, 800), "tablet": (768, 1024)}
PAGES = ("dashboard", "story list", "new story", "story", "moderation queue")
LONG_TITLE = "The pipeline politics of the South Caucasus, and who pays for the pipes in the end"


@pytest.fixture
def newsroom(roles_users):
    """Stories in every state, with long titles and several authors, and a pending queue."""
    region = Region.objects.create(name="Post-Soviet region", slug="post-soviet-region")
    rubric = Rubric.objects.create(name="Difficult question", slug="difficult-question")
    authors = [
        Author.objects.create(name=name, slug=name.lower().replace(" ", "-"))
        for name in ("Aigerim Sultanova", "Nare Avetisyan", "Konstantin Petrov-Vodkin")
    ]
    now = timezone.now()
    states = [
        (Article.Status.DRAFT, now, None),
        (Article.Status.REVIEW, now, None),
        (Article.Status.PUBLISHED, now + timedelta(days=2), None),
        (Article.Status.PUBLISHED, now - timedelta(hours=2), now + timedelta(days=3)),
        (Article.Status.PUBLISHED, now - timedelta(days=4), now - timedelta(days=1)),
    ]
    stories = []
    for number, (status, publish_at, unpublish_at) in enumerate(states * 3):
        story = Article.objects.create(
            title=f"{LONG_TITLE} ({number})",
            slug=f"pipeline-politics-{number}",
            teaser="Who gains when the gas flows west.",
            body="<p>The line crosses three borders.</p>",
            region=region,
            rubric=rubric,
            status=status,
            publish_at=publish_at,
            unpublish_at=unpublish_at,
        )
        story.authors.add(*authors)
        stories.append(story)
    for number in range(8):
        Review.objects.create(
            article=stories[3],
            name=f"Konstantin Alexandrovich Petrov-Vodkin {number}",
            email=f"konstantin.alexandrovich.petrov-vodkin.{number}@a-very-long-domain.example.org",
            body="A long review about the northern route and the pipes. " * 4,
            status=Review.Status.PENDING,
            reasons=["held word: pipeline", "2 links (limit 1)", "first review from this client"],
        )
    return {"live": stories[3]}


def pages(newsroom) -> dict[str, tuple[str, str]]:
    """Each page under test, with who looks at it."""
    return {
        "dashboard": ("edna", "/admin/"),
        "story list": ("edna", "/admin/articles/article/"),
        "new story": ("edna", "/admin/articles/article/add/"),
        "story": ("edna", f"/admin/articles/article/{newsroom['live'].pk}/change/"),
        "moderation queue": ("mona", "/admin/reviews/review/"),
    }


# Everything a person may want to click or type in, where it is shown.
OUT_OF_REACH = """() => {
    const width = document.documentElement.clientWidth;
    const controls = document.querySelectorAll(
        '#content a[href], #content button, #content input:not([type=hidden]), '
        + '#content select, #content textarea, #content [contenteditable=true], '
        + '#content [role=combobox], #header a, #header button, .breadcrumbs a'
    );
    const shown = [...controls].filter(control => {
        const box = control.getBoundingClientRect();
        return box.width > 0 && box.height > 0
            && control.checkVisibility({visibilityProperty: true});
    });
    const cutOff = (control) => {
        const box = control.getBoundingClientRect();
        for (let box_ = control.parentElement; box_; box_ = box_.parentElement) {
            const overflow = getComputedStyle(box_).overflowX;
            if (overflow !== 'visible' && box_.scrollWidth > box_.clientWidth + 1) {
                const frame = box_.getBoundingClientRect();
                if (box.left < frame.left - 1 || box.right > frame.right + 1) return true;
            }
        }
        return false;
    };
    return shown
        .filter(control => {
            const box = control.getBoundingClientRect();
            return box.left < 0 || box.right > width + 1 || cutOff(control);
        })
        .map(control => control.outerHTML.slice(0, 120));
}"""


def out_of_reach(page) -> list[str]:
    """Return the controls out of reach once the page has settled.

    The story editor builds its toolbar after the page has loaded and lays it out again when
    its icon font arrives. Wait (a few seconds at most) for a layout with nothing out of reach,
    then measure.
    """
    page.evaluate(
        f"""async () => {{
            for (let tries = 0; tries < 50; tries++) {{
                await document.fonts.ready;
                if (({OUT_OF_REACH})().length === 0) return;
                await new Promise(resolve => setTimeout(resolve, 100));
            }}
        }}"""
    )
    return page.evaluate(OUT_OF_REACH)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", PAGES)
def test_admin_page_fits_and_passes_axe(new_page, newsroom, name, viewport):
    username, url = pages(newsroom)[name]
    width, height = VIEWPORTS[viewport]
    page = new_page(f"{name}-{viewport}", viewport={"width": width, "height": height})
    log_in(page, username)

    response = page.goto(url)
    page.wait_for_load_state("load")

    assert response.status == 200
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert out_of_reach(page) == []
    assert blocking_violations(page) == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_story_editor_fits_when_its_icon_font_never_arrives(new_page, newsroom, viewport):
    """A slow or filtered network: the toolbar's icons stay icon-sized, nothing is cut off."""
    username, url = pages(newsroom)["story"]
    width, height = VIEWPORTS[viewport]
    page = new_page(f"story without icons-{viewport}", viewport={"width": width, "height": height})
    log_in(page, username)
    page.route("**/material-icons*.woff2", lambda route: route.abort())

    page.goto(url)
    icons = page.locator(".prose-menubar__button.material-icons")
    icons.first.wait_for()  # the editor builds its toolbar after the page has loaded

    assert icons.count() > 10
    assert out_of_reach(page) == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_moderator_reaches_every_button_of_the_queue(new_page, newsroom, viewport):
    width, height = VIEWPORTS[viewport]
    page = new_page(f"queue-{viewport}", viewport={"width": width, "height": height})
    log_in(page, "mona")
    page.goto("/admin/reviews/review/")

    buttons = page.locator(".moderate-buttons button")
    assert buttons.count() == 8 * 3
    for index in range(buttons.count()):
        box = buttons.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, index

    buttons.first.click()
    page.wait_for_load_state()
    assert page.locator(".messagelist").inner_text().startswith("Review by")
    assert Review.objects.filter(status=Review.Status.APPROVED).count() == 1


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_story_list_shows_state_and_time_in_reach(new_page, newsroom, viewport):
    width, height = VIEWPORTS[viewport]
    page = new_page(f"stories-{viewport}", viewport={"width": width, "height": height})
    log_in(page, "edna")
    page.goto("/admin/articles/article/?status=scheduled")

    cells = page.locator("td.field-state")
    assert cells.count() == 3
    assert cells.first.inner_text().startswith("Scheduled\nfor ")
    preview = cells.first.get_by_role("link", name="Preview")
    box = preview.bounding_box()
    assert box["x"] + box["width"] <= width


def test_autocomplete_boxes_and_dates_are_named_and_still_work(new_page, newsroom):
    page = new_page("new story", viewport={"width": 768, "height": 1024})
    log_in(page, "edna")
    page.goto("/admin/articles/article/add/")

    page.get_by_role("searchbox", name="Authors").fill("Nare")
    page.get_by_role("option", name="Nare Avetisyan").click()
    page.get_by_role("combobox", name="Rubric").click()
    page.get_by_role("option", name="Difficult question").click()

    chosen = page.locator("#id_authors").evaluate("s => [...s.selectedOptions].map(o => o.text)")
    assert chosen == ["Nare Avetisyan"]
    assert page.locator("#id_rubric").input_value() != ""
    assert page.get_by_role("textbox", name="Body").count() == 1
    assert page.get_by_label("Publish at: Date", exact=True).count() == 1
    assert page.get_by_label("Publish at: Time", exact=True).count() == 1
