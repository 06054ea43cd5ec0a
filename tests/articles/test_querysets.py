from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article


@pytest.mark.django_db
class TestPublishedGate:
    def test_published_story_due_now_is_public(self, published_article):
        assert list(Article.objects.published()) == [published_article]
        assert published_article.is_published()

    @pytest.mark.parametrize("status", ["draft", "review"])
    def test_unpublished_statuses_are_not_public(self, make_article, status):
        article = make_article(status=status)
        assert not Article.objects.published().filter(pk=article.pk).exists()
        assert not article.is_published()

    def test_scheduled_story_is_not_public_until_its_time(self, make_article):
        article = make_article(publish_at=timezone.now() + timedelta(hours=1))
        assert not Article.objects.published().filter(pk=article.pk).exists()
        assert not article.is_published()
        assert article.is_scheduled

    def test_queryset_and_instance_agree(self, make_article):
        now = timezone.now()
        stories = [
            make_article(status=status, publish_at=now + offset)
            for status in Article.Status.values
            for offset in (timedelta(hours=-1), timedelta(hours=1))
        ]
        public = set(Article.objects.published().values_list("pk", flat=True))
        assert {a.pk for a in stories if a.is_published()} == public


@pytest.mark.django_db
class TestDerivedFields:
    def test_body_is_sanitised_on_save(self, make_article):
        article = make_article(
            body='<p onclick="x()">Hi<script>alert(1)</script></p>'
            '<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>'
        )
        article.refresh_from_db()
        assert "script" not in article.body
        assert "onclick" not in article.body
        assert "onerror" not in article.body
        assert "javascript:" not in article.body
        assert "<p>Hi</p>" in article.body

    def test_reading_time_counts_words(self, make_article):
        article = make_article(body="<p>" + "word " * 1000 + "</p>")
        assert article.reading_time == 5


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the cast to bigint is PostgreSQL's join"
)
def test_tag_lists_can_join_their_stories_through_an_index(make_article):
    """taggit's integer object_id is cast to bigint in the join; an index must match the cast."""
    make_article(tags=["diplomacy"])
    stories = Article.objects.published().filter(tags__slug="diplomacy")
    sql, params = stories.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "taggeditem_object_bigint" in plan
