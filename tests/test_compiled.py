"""newsroom.compiled pages through a compiled query as Django's Paginator expects."""

import pytest
from django.core.paginator import Paginator
from django.db.models import BigIntegerField, Count

from articles.models import Article
from newsroom.compiled import CompiledPages, CompiledQuery, Param

pytestmark = pytest.mark.django_db

IN_REGION = CompiledQuery(
    lambda: (
        Article.objects.filter(region=Param("region", BigIntegerField()))
        .newest_first()
        .values_list("title")
    )
)
COUNT_IN_REGION = CompiledQuery(
    lambda: (
        Article.objects.filter(region=Param("region", BigIntegerField()))
        .order_by()
        .values("region")
        .annotate(count=Count("*"))
        .values_list("count")
    )
)


def test_pages_hold_what_the_queryset_pages_hold(make_article, region):
    for _ in range(7):
        make_article()
    titles = [(title,) for title in Article.objects.newest_first().values_list("title", flat=True)]
    paginator = Paginator(CompiledPages(IN_REGION, COUNT_IN_REGION, region=region.pk), 3)

    assert paginator.count == 7
    assert paginator.num_pages == 3
    assert [list(paginator.page(n).object_list) for n in (1, 2, 3)] == [
        titles[0:3],
        titles[3:6],
        titles[6:7],
    ]


def test_an_empty_list_counts_zero_and_asks_no_more(region, django_assert_num_queries):
    paginator = Paginator(CompiledPages(IN_REGION, COUNT_IN_REGION, region=region.pk), 3)

    with django_assert_num_queries(1):
        assert paginator.count == 0
        assert list(paginator.get_page(5).object_list) == []


def test_misuse_is_refused_with_a_message_not_wrong_rows(region):
    sliced = CompiledQuery(lambda: Article.objects.newest_first().values_list("title")[:4])
    with pytest.raises(ValueError, match="not sliced"):
        sliced.rows(page=(0, 2))
    with pytest.raises(ValueError, match="cannot be None"):
        IN_REGION.rows(region=None)
