"""A story full of script payloads, opened in a real browser: nothing runs, nothing injected.

The Content-Security-Policy would block inline script anyway; the browser context bypasses
it here, so that what is tested is the escaping itself.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Correction, Region, Rubric
from reviews.models import Review
from tests.security.payloads import XSS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The site's own scripts come from /static/ (the story page loads js/embeds.js), as
# tests/security/html_safety.py allows; nothing else may run.
INJECTED = (
    'script:not([type="application/ld+json"]):not([src^="/static/"]), '
    "iframe, frame, object, embed, svg, math, base, "
    "style, [onerror], [onload], [onfocus], [onclick], [onmouseover], "
    'a[href^="javascript:"], meta[http-equiv="refresh"]'
)
PAYLOAD = " ".join(XSS)


@pytest.fixture
def hostile_picture(transactional_db, make_image):
    """A library picture described with script: its words show wherever a story uses it."""
    return make_image(title=XSS[8], alt_text=XSS[6], caption=XSS[2], credit=XSS[3])


@pytest.fixture
def hostile_story(transactional_db, hostile_picture):
    region = Region.objects.create(name="Europe <b>bold</b>", slug="europe")
    rubric = Rubric.objects.create(name='Analysis"><svg onload=alert(1)>', slug="analysis")
    article = Article.objects.create(
        title=XSS[0][:200],
        slug="hostile-story",
        teaser=XSS[1],
        # The picture again as a figure in the text, before the payload's unclosed tags.
        body=f'<figure data-image="{hostile_picture.pk}" data-size="wide"></figure>'
        + "<p>"
        + PAYLOAD
        + "</p>"
        + PAYLOAD,
        region=region,
        rubric=rubric,
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(hours=1),
        lead_image=hostile_picture,
    )
    Correction.objects.create(article=article, text=XSS[5])
    article.tags.add(XSS[4][:100], "plain")
    Review.objects.create(
        article=article,
        name=XSS[1][:80],
        email="x@example.org",
        body=PAYLOAD,
        status=Review.Status.APPROVED,
    )
    return article


def test_no_script_runs_and_no_element_is_injected_from_story_fields(
    new_page, hostile_story, live_server
):
    page = new_page("hostile", bypass_csp=True)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    for path in (
        "/articles/hostile-story/",
        "/",
        "/regions/europe/",
        "/rubrics/analysis/",
        "/tags/plain/",
        "/search/?q=" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        injected = page.locator(INJECTED).evaluate_all("found => found.map(e => e.outerHTML)")
        assert injected == [], path
        assert page.url.startswith(live_server.url), "a payload navigated away"

    assert dialogs == []
    # The payloads are there, as text.
    page.goto("/articles/hostile-story/")
    assert page.get_by_role("heading", level=1).inner_text() == XSS[0]
    assert XSS[5] in page.locator(".correction").inner_text()
    assert "onerror=alert(1)" in page.locator("#reviews").inner_text()
    # The library picture's words too: alt text, caption and credit, on the lead picture and
    # on the figure in the text.
    for figure in (".story__figure", ".story__body .figure"):
        assert page.locator(f"{figure} img").get_attribute("alt") == XSS[6], figure
        caption = page.locator(f"{figure} figcaption").inner_text()
        assert XSS[2] in caption and XSS[3] in caption, figure
    assert page.locator('meta[property="og:image:alt"]').get_attribute("content") == XSS[6]
