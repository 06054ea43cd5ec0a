"""The lists around a page (neighbours, "More from", "Latest") run as compiled queries.

They must say exactly what the ORM says for the same data, judge the published gate at each
run rather than when compiled, and build their SQL once per process.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from articles import story_lists
from articles.models import Article, Region, previous_and_following
from newsroom.compiled import CompiledQuery

pytestmark = pytest.mark.django_db


@pytest.fixture
def stories(make_article, region):
    """Nine stories in two regions, three of them published at the very same moment."""
    moment = timezone.now() - timedelta(hours=2)
    europe = Region.objects.create(name="Europe", slug="europe")
    made = [make_article() for _ in range(3)]
    made += [make_article(publish_at=moment) for _ in range(3)]
    made += [make_article(region=europe) for _ in range(3)]
    make_article(title="Draft", status=Article.Status.DRAFT)
    make_article(title="Scheduled", publish_at=timezone.now() + timedelta(hours=1))
    return made


def test_neighbours_agree_with_the_queryset_even_between_stories_of_the_same_minute(stories):
    for story in stories:
        expected = previous_and_following(story, Article.objects.published().neighbours(story))
        assert story_lists.neighbours(story) == expected, story.title


def test_more_from_region_agrees_with_the_queryset(stories):
    for story in stories:
        expected = list(
            Article.objects.published()
            .filter(region=story.region_id)
            .exclude(pk=story.pk)
            .newest_first()[: story_lists.MORE_FROM_REGION_COUNT]
        )
        assert story_lists.more_from_region(story) == expected


def test_latest_agrees_with_the_queryset_with_and_without_a_story_left_out(stories):
    newest_first = list(Article.objects.published().newest_first())
    assert story_lists.latest(6) == newest_first[:6]
    assert story_lists.latest(6, exclude=newest_first[0]) == newest_first[1:7]
    assert story_lists.latest(2) == newest_first[:2]


def test_rows_carry_their_rubric_and_load_other_columns_on_demand(
    stories, django_assert_num_queries
):
    story = story_lists.latest(1)[0]
    stored = Article.objects.get(pk=story.pk)
    with django_assert_num_queries(0):
        assert story.rubric.name == "Road sign"
        assert story.get_absolute_url() == f"/articles/{stored.slug}/"
        assert story.publish_at == stored.publish_at
    with django_assert_num_queries(1):
        assert story.body == stored.body


def test_the_published_gate_is_judged_at_each_run_not_when_compiled(stories):
    scheduled = Article.objects.get(title="Scheduled")
    assert scheduled not in story_lists.latest(6)  # compiled now
    later = timezone.now() + timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert story_lists.latest(6)[0] == scheduled
        assert story_lists.neighbours(stories[0])[1] == scheduled
        assert scheduled in story_lists.more_from_region(stories[0])


def test_a_compiled_query_is_built_once_and_run_as_one_query(stories, django_assert_num_queries):
    builds = []

    def build():
        builds.append(1)
        return Article.objects.published(at=timezone.now()).values_list("title")[:1]

    query = CompiledQuery(build)
    with django_assert_num_queries(1):
        first = query.rows()
    with django_assert_num_queries(1):
        assert query.rows() == first
    assert len(builds) == 1
