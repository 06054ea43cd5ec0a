"""Editors see how many readers a story had: in the last 24 hours, and in all."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from readership.counting import hour_number, hour_start
from readership.models import StoryReads
from tests.helpers import change_url

pytestmark = pytest.mark.django_db


def give_reads(story, count: int, hours_ago: int) -> None:
    hour = hour_start(hour_number(timezone.now() - timedelta(hours=hours_ago)))
    StoryReads.objects.create(story=story, hour=hour, count=count)


def test_the_story_page_in_the_admin_shows_its_readers(editor_client, published_article):
    give_reads(published_article, 1200, hours_ago=1)
    give_reads(published_article, 34, hours_ago=23)
    give_reads(published_article, 5000, hours_ago=30)

    page = editor_client.get(change_url(published_article)).content.decode()

    assert "1,234 reads in the last 24 hours" in page
    assert "6,234 in all" in page


def test_a_story_nobody_read_yet_says_so(editor_client, published_article):
    page = editor_client.get(change_url(published_article)).content.decode()

    assert "0 reads in the last 24 hours" in page


def test_the_figures_cost_one_query(published_article, django_assert_num_queries):
    for hours_ago in range(48):
        give_reads(published_article, 3, hours_ago)
    template = Template("{% load readership %}{% story_reads article %}")

    with django_assert_num_queries(1):
        html = template.render(Context({"article": published_article}))

    assert "72 reads in the last 24 hours" in html
    assert "144 in all" in html
