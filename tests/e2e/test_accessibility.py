"""Accessibility of the reader pages, checked in Chromium.

axe-core (axe-playwright-python) runs on the home, story (with reviews), review form (also
with errors), region, search and 404 pages: no serious or critical violation. Then what
axe cannot judge alone: the skip link, visible focus, labelled fields, errors tied to their
fields, and a layout that works 360 px wide and at 200 % zoom.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Correction, Region, Rubric
from reviews.models import Review
from tests.e2e.conftest import blocking_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STORY = "/articles/pipeline-politics-in-the-south-caucasus/"
REVIEW_FORM = f"{STORY}review/"
PAGES = {
    "home": "/",
    "story": STORY,
    "review form": REVIEW_FORM,
    "region": "/regions/south-caucasus/",
    "search": "/search/?q=pipeline",
    "404": "/no-such-page/",
}


@pytest.fixture
def site(transactional_db, make_image):
    """A small site: stories with images in two regions, one story with approved reviews."""
    caucasus = Region.objects.create(name="South Caucasus", slug="south-caucasus", position=1)
    asia = Region.objects.create(name="Central Asia", slug="central-asia", position=2)
    analysis = Rubric.objects.create(name="Analysis", slug="analysis")
    interview = Rubric.objects.create(name="Interview", slug="interview")
    now = timezone.now()
    pictures = [
        make_image(
            size=(1280, 720),
            title=f"Pipeline {number}",
            alt_text="A pipeline running through a dry valley",
            caption="The line near the border.",
            credit="Newsroom",
        )
        for number in range(3)
    ]
    for number in range(6):
        lead = number == 0
        article = Article.objects.create(
            title="Pipeline politics in the South Caucasus"
            if lead
            else f"Pipeline politics, part {number + 1}",
            slug="pipeline-politics-in-the-south-caucasus"
            if lead
            else f"pipeline-politics-part-{number + 1}",
            teaser="Who gains when the gas flows west, and who pays for the pipes.",
            body="<h2>The route</h2><p>The line crosses <strong>three borders</strong>.</p>"
            "<ul><li>Baku</li><li>Tbilisi</li><li>Ceyhan</li></ul>",
            region=caucasus if number % 2 == 0 else asia,
            rubric=analysis if number % 3 else interview,
            status=Article.Status.PUBLISHED,
            publish_at=now - timedelta(hours=number + 1),
            featured=lead,
            lead_image=pictures[number] if number < 3 else None,
        )
        article.tags.add("energy", "pipelines")
        if lead:
            Correction.objects.create(
                article=article,
                text="An earlier version gave the wrong length.",
                made_at=now - timedelta(minutes=30),
            )
    story = Article.objects.get(slug="pipeline-politics-in-the-south-caucasus")
    for name, body in (
        ("Giorgi", "Clear and fair.\nThe map helped a lot."),
        ("Aigerim", "What about the northern route? See www.example.org for more."),
        # One unbroken 200-character "word" must not push the page sideways on a phone.
        ("Timur", "Source: https://example.org/" + "very-long-path-" * 13),
    ):
        Review.objects.create(
            article=story,
            name=name,
            email=f"{name.lower()}@example.org",
            body=body,
            status=Review.Status.APPROVED,
        )
    return story


@pytest.mark.parametrize("name", PAGES)
def test_reader_pages_have_no_serious_accessibility_violations(new_page, site, name):
    page = new_page(name)
    response = page.goto(PAGES[name])
    assert response.status == (404 if name == "404" else 200)
    if name in ("home", "story", "region"):
        # Library pictures are on the page for axe to judge (alt text, sizes).
        assert page.locator("main picture img").count() >= 1

    assert blocking_violations(page) == []


def submit_empty_review(page) -> None:
    """Send the review form with every field empty, past the browser's own checks."""
    page.goto(REVIEW_FORM)
    page.locator("#review-form").evaluate("form => { form.noValidate = true; }")
    page.locator("#review-form").get_by_role("button", name="Send review").click()
    page.wait_for_load_state()


def test_review_form_with_errors_has_no_serious_violations(new_page, site):
    page = new_page("story-errors")
    submit_empty_review(page)
    assert page.locator(".review-errors").count() == 3

    assert blocking_violations(page) == []


def test_review_errors_are_tied_to_their_fields(new_page, site):
    page = new_page("story-errors")
    submit_empty_review(page)

    assert page.get_by_role("alert").count() >= 1
    for field in ("name", "email", "body"):
        control = page.locator(f"#review-{field}")
        assert control.get_attribute("aria-invalid") == "true", field
        described_by = control.get_attribute("aria-describedby").split()
        error_id = f"review-{field}_error"
        assert error_id in described_by, field
        assert page.locator(f"#{error_id}").inner_text().strip(), field


def test_review_form_fields_are_labelled(new_page, site):
    page = new_page("review form")
    page.goto(REVIEW_FORM)

    controls = page.locator("#review-form").locator("input:not([type=hidden]), textarea")
    labels = controls.evaluate_all(
        "controls => controls.map(control => [control.name,"
        " Array.from(control.labels).map(label => label.textContent.trim()).join(' ')])"
    )
    labels = dict(labels)
    assert all(labels.values()), labels
    assert (
        labels.items()
        >= {
            "name": "Name",
            "email": "Email",
            "body": "Your review",
            "website": "Leave this field empty",
        }.items()
    )
    # The honeypot is neither seen nor reached by keyboard, and screen readers skip it.
    honeypot = page.locator("#review-website")
    assert honeypot.get_attribute("tabindex") == "-1"
    assert not honeypot.is_visible() or honeypot.bounding_box()["x"] < 0


def test_skip_link_is_first_visible_on_focus_and_moves_to_the_content(new_page, site):
    page = new_page("home")
    page.goto("/")

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("link => link === document.activeElement")
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] > 0, "the focused skip link must be on screen"
    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_keyboard_focus_is_always_visible(new_page, site):
    page = new_page("story")
    page.goto(STORY)

    missing = []
    for _ in range(25):
        page.keyboard.press("Tab")
        shown = page.evaluate(
            """() => {
                const element = document.activeElement;
                const style = getComputedStyle(element);
                const outlined = style.outlineStyle !== 'none'
                    && parseFloat(style.outlineWidth) > 0;
                return [element.tagName + (element.id ? '#' + element.id : ''),
                        outlined || style.boxShadow !== 'none'];
            }"""
        )
        if not shown[1]:
            missing.append(shown[0])
    assert missing == []


@pytest.mark.parametrize("name", PAGES)
def test_pages_fit_a_360_pixel_wide_screen(new_page, site, name):
    page = new_page(name, viewport={"width": 360, "height": 740})
    page.goto(PAGES[name])

    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360


@pytest.mark.parametrize("name", PAGES)
def test_pages_reflow_at_200_percent_zoom(new_page, site, name):
    # A 1280 px window at 200 % zoom lays the page out 640 CSS pixels wide, at twice the
    # pixel density: the same as this viewport.
    page = new_page(name, viewport={"width": 640, "height": 400}, device_scale_factor=2)
    page.goto(PAGES[name])

    assert page.evaluate("document.scrollingElement.scrollWidth") <= 640
    # Nothing is cut off sideways either: no element reaches past the right edge.
    overflowing = page.evaluate(
        """() => Array.from(document.querySelectorAll('main *'))
            .filter(el => el.getBoundingClientRect().right > 640 + 1
                          && getComputedStyle(el).position !== 'absolute')
            .map(el => el.tagName + '.' + el.className).slice(0, 5)"""
    )
    assert overflowing == []
