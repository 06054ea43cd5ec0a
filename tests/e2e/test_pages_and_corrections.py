"""The footer's pages and a corrected story with share links, in Chromium and the HTML checker.

axe finds no serious or critical violation on the Privacy page, a list page (footer feeds) and
a story corrected twice; the Nu HTML Checker finds no error in them; the footer and the share
links are reachable and named for keyboard and screen-reader users.
"""

from datetime import timedelta
from importlib import import_module

import pytest
from django.utils import timezone

from articles.corrections import correction_add
from articles.models import Article, Region, Rubric
from pages.demo import seed_pages
from pages.models import Page
from tests.e2e.conftest import blocking_violations
from tests.html_checker import errors_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STORY = "/articles/the-almaty-talks/"
PAGES = {
    "privacy": "/pages/privacy/",
    "about": "/pages/about/",
    "corrected story": STORY,
    "region": "/regions/central-asia/",
}


@pytest.fixture
def site(transactional_db):
    """The pages as a new newsroom has them (a flush empties what migrations made), the demo's
    About and Contact, and a story corrected twice."""
    privacy = import_module("pages.migrations.0003_privacy_page")
    Page.objects.get_or_create(
        slug=privacy.SLUG,
        language="en",
        defaults={"title": "Privacy", "body": privacy.privacy_body(), "position": 3},
    )
    seed_pages()
    region = Region.objects.create(name="Central Asia", slug="central-asia")
    rubric = Rubric.objects.create(name="Analysis", slug="analysis")
    now = timezone.now()
    story = Article.objects.create(
        title="The Almaty talks: what “progress” means",
        slug="the-almaty-talks",
        teaser="Foreign ministers meet on neutral ground.",
        body="<p>The ministers met for the first time in a year.</p>",
        region=region,
        rubric=rubric,
        status=Article.Status.PUBLISHED,
        publish_at=now - timedelta(days=1),
    )
    story.tags.add("diplomacy")
    correction_add(
        article=story,
        text="An earlier version gave the wrong date for the talks.",
        by=None,
        made_at=now - timedelta(hours=5),
    )
    correction_add(
        article=story,
        text="An earlier version misspelt the minister's name.\nIt is Tileuberdi.",
        by=None,
        made_at=now - timedelta(hours=1),
    )
    return story


@pytest.mark.parametrize("name", PAGES)
def test_pages_have_no_serious_accessibility_violations(new_page, site, name):
    page = new_page(name)
    assert page.goto(PAGES[name]).status == 200

    assert blocking_violations(page) == []


def test_corrections_and_share_links_read_right_to_assistive_technology(new_page, site):
    page = new_page("corrected story")
    page.goto(STORY)

    corrections = page.get_by_role("region", name="Corrections").get_by_role("listitem")
    assert corrections.count() == 2
    assert corrections.nth(0).inner_text().startswith("Corrected ")
    assert "wrong date" in corrections.nth(0).inner_text()
    assert "Tileuberdi" in corrections.nth(1).inner_text()
    share = page.get_by_role("region", name="Share this story")
    for label in ("Share on X", "Share on Facebook", "Share on Telegram", "Share on WhatsApp"):
        assert share.get_by_role("link", name=label).count() == 1, label
    assert (
        share.get_by_role("link", name="Share by email")
        .get_attribute("href")
        .startswith("mailto:?subject=The%20Almaty%20talks")
    )
    footer = page.get_by_role("navigation", name="Site information and feeds")
    for name in ("About us", "Contact", "Privacy", "RSS feed: all stories"):
        assert footer.get_by_role("link", name=name).count() == 1, name


def test_pages_are_valid_html(site, client, tmp_path):
    pages = {name: client.get(address).content for name, address in PAGES.items()}
    assert errors_of(pages, tmp_path) == {name: [] for name in pages}
