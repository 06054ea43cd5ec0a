"""Related stories on the story page: shared tags first, then region and nearness in time; only
public stories; one query however many tags; kept with the page and replaced when stories
change."""

import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from articles.models import Article, Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def long_lease(settings):
    """Keep the page cache's lease for the whole test (its renewal is tested elsewhere)."""
    settings.PAGE_CACHE_LEASE_SECONDS = 600


@pytest.fixture
def elsewhere(db) -> Region:
    return Region.objects.create(name="Central Asia", slug="central-asia")


def related(article: Article) -> list[str]:
    story = Article.objects.for_story().get(pk=article.pk)
    return [story.title for story in Article.objects.published().related_to(story)[:4]]


def related_titles(html: str) -> list[str]:
    """Return the titles in the page's "Related stories" block, in order."""
    block = html.split('id="related-stories"', 1)
    if len(block) == 1:
        return []
    listed = block[1].split("</section>", 1)[0]
    return re.findall(r'class="teaser__title"><a href="[^"]+">([^<]+)</a>', listed)


def test_stories_sharing_more_tags_come_first(make_article, elsewhere):
    story = make_article(title="The story", tags=["gas", "pipelines", "turkey"])
    make_article(title="One tag", tags=["gas"], region=elsewhere)
    make_article(title="Three tags", tags=["gas", "pipelines", "turkey"], region=elsewhere)
    make_article(title="Two tags", tags=["pipelines", "turkey", "wine"], region=elsewhere)
    make_article(title="No tag, elsewhere", region=elsewhere)

    assert related(story) == ["Three tags", "Two tags", "One tag"]


def test_the_region_and_nearness_in_time_break_ties(make_article, elsewhere):
    now = timezone.now()
    story = make_article(title="The story", tags=["gas"], publish_at=now)
    make_article(title="Tag, far region", tags=["gas"], region=elsewhere, publish_at=now)
    make_article(title="Tag, same region", tags=["gas"], publish_at=now - timedelta(days=20))
    make_article(title="Same region, same week", publish_at=now - timedelta(days=2))
    make_article(title="Same region, months ago", publish_at=now - timedelta(days=100))
    make_article(title="Same region, years ago", publish_at=now - timedelta(days=900))

    assert related(story) == [
        "Tag, same region",  # 3 + 2 + 1 (same month)
        "Tag, far region",  # 3 + 2 (same week)
        "Same region, same week",  # 2 + 2
        "Same region, months ago",  # 2
    ]


def test_a_story_without_tags_gets_its_regions_nearest(make_article, elsewhere):
    now = timezone.now()
    story = make_article(title="The story", publish_at=now)
    make_article(title="Near", publish_at=now - timedelta(days=1))
    make_article(title="Far", publish_at=now - timedelta(days=50))
    make_article(title="Other region", region=elsewhere, publish_at=now)

    assert related(story) == ["Near", "Far"]


def test_never_a_story_the_public_cannot_see(make_article):
    now = timezone.now()
    story = make_article(title="The story", tags=["gas"])
    make_article(title="Draft", tags=["gas"], status=Article.Status.DRAFT)
    make_article(title="In review", tags=["gas"], status=Article.Status.REVIEW)
    make_article(title="Scheduled", tags=["gas"], publish_at=now + timedelta(hours=2))
    make_article(title="Expired", tags=["gas"], unpublish_at=now - timedelta(minutes=1))
    make_article(title="Public", tags=["gas"])

    assert related(story) == ["Public"]


def test_one_query_however_many_tags(make_article, django_assert_num_queries):
    ContentType.objects.get_for_model(Article)  # Django keeps it for the process.
    few = make_article(tags=["a"])
    many = make_article(tags=[f"tag {number}" for number in range(12)])
    for number in range(12):
        make_article(tags=[f"tag {number}", "a"])
    few, many = Article.objects.for_story().filter(pk__in=[few.pk, many.pk]).order_by("pk")

    with django_assert_num_queries(1):
        list(Article.objects.published().related_to(few).for_teasers()[:4])
    with django_assert_num_queries(1):
        list(Article.objects.published().related_to(many).for_teasers()[:4])


def test_the_story_page_shows_them_above_more_from_its_region(client, make_article):
    story = make_article(title="The story", tags=["gas"])
    make_article(title="Gas story", tags=["gas"])
    for number in range(6):
        make_article(title=f"Region story {number}")

    page = client.get(story.get_absolute_url()).content.decode()

    related_block = related_titles(page)
    assert related_block[0] == "Gas story"
    assert len(related_block) == 4
    more_from_region = page.split('id="more-from-region"', 1)[1].split("</section>", 1)[0]
    for title in related_block:
        assert f">{title}<" not in more_from_region
    assert page.index('id="related-stories"') < page.index('id="more-from-region"')


def test_a_new_related_story_replaces_the_kept_list(client, make_article, no_page_cache):
    # Kept like "More from …": a publication replaces the list at once; a story page already
    # in the page cache shows it when the page is next built (as for "Latest stories").
    story = make_article(title="The story", tags=["gas"])
    make_article(title="Old gas story", tags=["gas"])
    assert related_titles(client.get(story.get_absolute_url()).content.decode()) == [
        "Old gas story"
    ]

    newer = make_article(
        title="Fresh gas story", status=Article.Status.DRAFT, publish_at=timezone.now()
    )
    newer.tags.add("gas")
    newer.status = Article.Status.PUBLISHED
    newer.save()

    assert related_titles(client.get(story.get_absolute_url()).content.decode()) == [
        "Fresh gas story",
        "Old gas story",
    ]


def test_a_related_story_taken_down_leaves_the_cached_page(client, make_article):
    story = make_article(title="The story", tags=["gas"])
    other = make_article(title="Gas story", tags=["gas"])
    assert related_titles(client.get(story.get_absolute_url()).content.decode()) == ["Gas story"]

    other.status = Article.Status.DRAFT
    other.save()

    assert related_titles(client.get(story.get_absolute_url()).content.decode()) == []
