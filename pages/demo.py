"""The demo newsroom's About and Contact pages, added by ``manage.py seed_demo``.

Connected to ``articles.signals.demo_seeded`` by ``PagesConfig.ready()``. Each page is
looked up by its slug and only created when missing, so an editor's changes stay. The
Privacy page is every newsroom's, made by the migration ``0003_privacy_page``: it says
what this software keeps.
"""

from articles.signals import demo_seeded
from pages.models import Page

DEMO_PAGES = (
    {
        "slug": "about",
        "position": 1,
        "title": "About us",
        "body": (
            "<p>Newsroom is an independent analysis and news desk covering the post-Soviet "
            "space, the Caucasus, Central Asia, the Middle East and Europe. Our reporters and "
            "contributors write from the regions they cover.</p>"
            "<h2>How we work</h2>"
            "<p>Every story is read by an editor before it is published. When we get something "
            "wrong we correct it openly: the correction is shown at the top of the story, with "
            "the time it was made, and earlier corrections stay listed.</p>"
            "<h2>Independence</h2>"
            "<p>We take no money from governments or parties. Our stories are free to read, "
            "with no tracking cookies and no advertising scripts.</p>"
        ),
    },
    {
        "slug": "contact",
        "position": 2,
        "title": "Contact",
        "body": (
            '<p>Write to the editors at <a href="mailto:editors@newsroom.example">'
            "editors@newsroom.example</a>: to point out a mistake in a story, to suggest a "
            "story, or to ask us what we keep about you or to erase it.</p>"
            '<p>Press and partnership enquiries: <a href="mailto:office@newsroom.example">'
            "office@newsroom.example</a>.</p>"
            "<p>We read every message; we answer those that need an answer within a few "
            "working days.</p>"
        ),
    },
)


def seed_pages(sender=None, **kwargs) -> int:
    """Create the demo pages that do not exist yet; return how many were created."""
    created = 0
    for entry in DEMO_PAGES:
        _page, made = Page.objects.get_or_create(
            slug=entry["slug"],
            defaults={
                "title": entry["title"],
                "body": entry["body"],
                "position": entry["position"],
            },
        )
        created += int(made)
    return created


def connect() -> None:
    demo_seeded.connect(seed_pages, dispatch_uid="pages.demo.seed_pages")
