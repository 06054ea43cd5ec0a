"""Nothing the public may not see on the site shows in the API, without a key, anywhere."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Author, Correction, Region
from articles.search import run_search
from reviews.models import Review
from tests.api.helpers import is_problem, local, slugs
from tests.helpers import SITE

pytestmark = pytest.mark.django_db

HIDDEN_WORD = "Zanzibarian"


@pytest.fixture
def unpublished(make_article, scheduled_article):
    """Stories the public may not see, each with a tag, an author and a review of its own."""
    hidden = {
        "draft": make_article(slug="a-draft", status=Article.Status.DRAFT),
        "in-review": make_article(slug="in-review", status=Article.Status.REVIEW),
        "scheduled": scheduled_article,
        "future-draft": make_article(
            slug="future-draft",
            status=Article.Status.DRAFT,
            publish_at=timezone.now() + timedelta(hours=3),
        ),
    }
    for name, story in hidden.items():
        story.title = f"{HIDDEN_WORD} {name}"
        story.save()
        story.tags.add(f"only-{name}")
        story.authors.add(Author.objects.create(name=f"Writer {name}", slug=f"writer-{name}"))
        Review.objects.create(
            article=story, name="Nino", email="nino@example.org", body="Early!", status="approved"
        )
    deleted = make_article(slug="deleted-story", title=f"{HIDDEN_WORD} deleted")
    deleted.tags.add("only-deleted")
    deleted.delete()
    hidden["deleted"] = deleted
    return hidden


def every_list(api_get) -> dict[str, list]:
    return {
        path: api_get(path, limit=100).json()["items"]
        for path in ("stories/", "tags/", "authors/", "regions/", "rubrics/")
    }


def test_nothing_unpublished_shows_in_any_endpoint_without_a_key(
    api_get, published_article, unpublished
):
    lists = every_list(api_get)
    assert [item["slug"] for item in lists["stories/"]] == [published_article.slug]
    found = api_get("search/", q=HIDDEN_WORD).json()
    assert (found["total"], found["items"], found["suggestion"]) == (0, [], None)
    everything = str(lists)
    assert HIDDEN_WORD not in everything
    for name, story in unpublished.items():
        assert f"only-{name}" not in everything
        assert f"writer-{name}" not in everything
        assert is_problem(api_get(f"stories/{story.slug}/"), 404)
        assert is_problem(api_get(f"stories/{story.slug}/reviews/"), 404)
        assert is_problem(api_get(f"tags/only-{name}/"), 404)
        assert slugs(api_get("stories/", tag=f"only-{name}")) == []
    for name in ("draft", "in-review", "scheduled", "future-draft"):
        assert is_problem(api_get(f"authors/writer-{name}/"), 404)
        assert slugs(api_get("stories/", author=f"writer-{name}")) == []


def test_a_key_without_the_embargo_scope_sees_what_the_public_sees(
    api_get, make_key, published_article, unpublished
):
    _key, token = make_key()
    assert slugs(api_get("stories/", token)) == [published_article.slug]
    assert api_get(f"stories/{unpublished['scheduled'].slug}/", token).status_code == 404


def test_regions_and_rubrics_are_listed_even_without_stories_as_on_the_site(api_get, client):
    Region.objects.create(name="Arctic", slug="arctic")
    assert "arctic" in slugs(api_get("regions/"))
    assert api_get("regions/arctic/").status_code == 200
    assert client.get("/regions/arctic/").status_code == 200


def test_a_story_going_offline_leaves_the_api(api_get, published_article):
    assert api_get(f"stories/{published_article.slug}/").status_code == 200
    published_article.status = Article.Status.DRAFT
    published_article.save()
    assert api_get(f"stories/{published_article.slug}/").status_code == 404
    assert slugs(api_get("stories/")) == []


def test_a_story_is_given_as_readers_get_it(api_get, make_article, make_image, rubric, region):
    picture = make_image(caption="Talks in Almaty.", credit="Photo: A. Agency")
    author = Author.objects.create(name="Lela Tsereteli", slug="lela", bio="Tbilisi.")
    story = make_article(
        title="The Almaty talks",
        slug="the-almaty-talks",
        lead_image=picture,
        body=(
            '<p>First.<span data-footnote="A note."></span></p>'
            f'<figure data-image="{picture.pk}" data-size="wide"></figure>'
        ),
        tags=["Energy"],
        authors=[author],
    )
    first = Correction.objects.create(
        article=story,
        text="An earlier version misnamed the minister.",
        made_at=timezone.now().replace(microsecond=0) - timedelta(hours=2),
    )
    second = Correction.objects.create(
        article=story,
        text="An earlier version gave the wrong date.",
        made_at=timezone.now().replace(microsecond=0),
    )
    Review.objects.create(
        article=story, name="A", email="a@example.org", body="x", status="approved"
    )
    Review.objects.create(
        article=story, name="B", email="b@example.org", body="y", status="pending"
    )

    data = api_get("stories/the-almaty-talks/").json()

    assert data["url"] == f"{SITE}/articles/the-almaty-talks/"
    assert data["api_url"] == f"{SITE}/api/v1/stories/the-almaty-talks/"
    # Every correction, oldest first; the first release's field has the latest.
    assert [
        (item["text"], datetime.fromisoformat(item["made_at"])) for item in data["corrections"]
    ] == [(first.text, first.made_at), (second.text, second.made_at)]
    assert data["correction_note"] == "An earlier version gave the wrong date."
    assert data["review_count"] == 1
    assert data["embargoed_until"] is None
    assert data["rubric"]["slug"] == rubric.slug and data["region"]["slug"] == region.slug
    assert [tag["name"] for tag in data["tags"]] == ["Energy"]
    assert data["authors"] == [
        {
            "name": "Lela Tsereteli",
            "slug": "lela",
            "url": f"{SITE}/authors/lela/",
            "api_url": f"{SITE}/api/v1/authors/lela/",
        }
    ]
    # As the feeds give it: a plain figure with an absolute image URL, the note at the end.
    assert f'<img src="{SITE}/media/images/' in data["body_html"]
    assert "<sup>1</sup>" in data["body_html"] and "A note." in data["body_html"]
    lead = data["lead_image"]
    assert (lead["alt"], lead["caption"], lead["credit"]) == (
        picture.alt_text,
        "Talks in Almaty.",
        "Photo: A. Agency",
    )
    every_url = [
        rendition["url"]
        for crop in lead["renditions"].values()
        for files in crop["formats"].values()
        for rendition in files
    ]
    assert every_url and all(url.startswith(f"{SITE}/media/") for url in every_url)
    assert set(lead["renditions"]["full"]["formats"]) >= {"jpg", "webp"}


def test_an_image_without_alt_text_is_not_offered(api_get, make_article, make_image):
    story = make_article(lead_image=make_image(alt_text=""))
    assert api_get(f"stories/{story.slug}/").json()["lead_image"] is None


def test_search_finds_what_the_sites_search_finds(api_get, client, make_article):
    for number in range(25):
        make_article(title=f"Pipeline deal {number}", slug=f"pipeline-{number}")
    make_article(title="Pipeline draft", slug="pipeline-draft", status=Article.Status.DRAFT)
    site = run_search({"q": "pipeline"})
    first = api_get("search/", q="pipeline").json()
    assert first["total"] == site["total"] == 25
    assert [item["id"] for item in first["items"]] == [story.pk for story in site["page_obj"]]
    second = client.get(local(first["next"]))
    site_second = run_search({"q": "pipeline", "page": "2"})
    assert [item["id"] for item in second.json()["items"]] == [
        story.pk for story in site_second["page_obj"]
    ]
    assert second.json()["next"] is None
    assert client.get("/search/", {"q": "pipeline"}).context["total"] == 25


def test_a_renamed_storys_old_api_address_leads_to_its_new_one_as_on_the_site(
    api_get, client, published_article
):
    old = published_article.slug
    published_article.slug = "the-almaty-talks-renamed"
    published_article.save()
    assert client.get(f"/articles/{old}/")["Location"] == "/articles/the-almaty-talks-renamed/"
    moved = api_get(f"stories/{old}/")
    assert moved.status_code == 301
    assert moved["Location"] == f"{SITE}/api/v1/stories/the-almaty-talks-renamed/"
    assert api_get(local(moved["Location"])).status_code == 200
    reviews = api_get(f"stories/{old}/reviews/", limit=5)
    assert reviews.status_code == 301
    assert reviews["Location"] == f"{SITE}/api/v1/stories/the-almaty-talks-renamed/reviews/?limit=5"


def test_a_renamed_story_that_is_no_longer_public_leaves_its_old_api_address_a_404(
    api_get, embargo_key, published_article
):
    _key, token = embargo_key
    old = published_article.slug
    published_article.slug = "renamed-then-pulled"
    published_article.save()
    published_article.status = Article.Status.DRAFT
    published_article.save()
    for key in (None, token):
        assert is_problem(api_get(f"stories/{old}/", key), 404)
        assert is_problem(api_get(f"stories/{old}/reviews/", key), 404)
