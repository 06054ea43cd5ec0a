"""schemathesis, a real API client no one here wrote, against the live API and its own schema.

It reads ``/api/v1/openapi.json`` from a live server and sends what the schema allows, and
what it does not, to every operation, with every check it has: no server error, every answer
documented, of the declared content type, matching its schema and headers, invalid input
refused, valid input accepted, refused methods answered 405 with ``Allow``. Once as the
public, once with an embargo key. Any failure fails the test, with schemathesis's report.
Cursors are opaque, so the ones it makes up are swapped for real ones, and half of its slugs
for ones that exist, so that found resources are checked too (tests/api/schemathesis_hooks.py).
"""

import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from taggit.models import Tag

from api import views
from api.keys import PUBLIC
from api.models import ApiKey
from api.pagination import encode_cursor
from api.services import api_key_create
from articles.models import Article, Author, Correction, Region, Rubric
from reviews.models import Review

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Enough to reach every operation's corners, few enough for a couple of minutes in all.
EXAMPLES_PER_OPERATION = 25
SCHEMATHESIS = Path(sys.executable).with_name("st")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def newsroom(make_article, make_image, settings) -> str:
    """Fill the site: public, draft and scheduled stories, reviews, a partner's embargo key."""
    # schemathesis sends thousands of requests from one address.
    settings.API_RATE_LIMIT_COUNT = 1_000_000
    picture = make_image(caption="A caption.", credit="A credit.")
    author = Author.objects.create(name="Lela Tsereteli", slug="lela", bio="Tbilisi.")
    for number in range(12):
        story = make_article(
            lead_image=picture if number % 2 else None,
            tags=["energy", f"тег {number}"],
            authors=[author],
            body=f'<p>Text {number}.</p><figure data-image="{picture.pk}"></figure>',
        )
        if number == 3:
            Correction.objects.create(article=story, text="Corrected.")
        Review.objects.create(
            article=story,
            name="Nino",
            email="nino@example.org",
            body="A careful piece.",
            status=Review.Status.APPROVED,
            reply="Thank you." if number == 1 else "",
        )
    make_article(status=Article.Status.DRAFT, tags=["draft-only"])
    make_article(publish_at=timezone.now() + timedelta(days=1), tags=["embargoed-only"])
    return api_key_create(key=ApiKey(name="Wire", scopes=[ApiKey.Scope.EMBARGO]), by=None)


def real_cursors() -> dict[str, str]:
    """Return a cursor that each list gives out, keyed as tests.api.schemathesis_hooks reads."""
    orderings = {
        "/api/v1/stories/|published": (views.STORIES_NEWEST, views.stories_for(PUBLIC)),
        "/api/v1/stories/|updated": (views.STORIES_UPDATED, views.stories_for(PUBLIC)),
        "/api/v1/stories/{slug}/reviews/": (views.REVIEWS, Review.objects.approved()),
        "/api/v1/regions/": (views.REGIONS, Region.objects.all()),
        "/api/v1/rubrics/": (views.RUBRICS, Rubric.objects.all()),
        "/api/v1/tags/": (views.TAGS, views.public_tags(settings.LANGUAGE_CODE)),
        "/api/v1/authors/": (views.AUTHORS, views.public_authors(settings.LANGUAGE_CODE)),
    }
    return {
        key: encode_cursor(ordering, ordering.key_of(queryset.order_by(*ordering.fields)[0]))
        for key, (ordering, queryset) in orderings.items()
    }


def real_slugs() -> dict[str, list[str]]:
    """Return the slugs of things that exist, keyed as tests.api.schemathesis_hooks reads."""
    stories = list(Article.objects.values_list("slug", flat=True))
    return {
        "/api/v1/stories/{slug}/": stories,
        "/api/v1/stories/{slug}/reviews/": stories,
        "/api/v1/regions/{slug}/": list(Region.objects.values_list("slug", flat=True)),
        "/api/v1/rubrics/{slug}/": list(Rubric.objects.values_list("slug", flat=True)),
        "/api/v1/tags/{slug}/": list(Tag.objects.values_list("slug", flat=True)),
        "/api/v1/authors/{slug}/": list(Author.objects.values_list("slug", flat=True)),
    }


def schemathesis(live_server, workdir: Path, *headers: str) -> subprocess.CompletedProcess:
    command = [
        str(SCHEMATHESIS if SCHEMATHESIS.exists() else shutil.which("st")),
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--url",
        live_server.url,
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--no-color",
    ]
    for header in headers:
        command += ["--header", header]
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
        "NEWSROOM_API_CURSORS": json.dumps(real_cursors()),
        "NEWSROOM_API_SLUGS": json.dumps(real_slugs()),
    }
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=environment,
        # Its caches (.schemathesis/, .hypothesis/) in the test's own folder, not the project's.
        cwd=workdir,
    )


def test_schemathesis_finds_nothing_as_the_public_nor_with_a_key(live_server, newsroom, tmp_path):
    for headers in ((), (f"Authorization: Bearer {newsroom}",)):
        run = schemathesis(live_server, tmp_path, *headers)
        assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-5_000:]
