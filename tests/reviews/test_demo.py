"""``seed_demo`` shows the conversation: replies under a review, an edited review, idempotently."""

import pytest
from django.test import Client

from articles.signals import demo_seeded
from reviews.models import Review, ReviewRevision

pytestmark = pytest.mark.django_db


def test_the_demo_story_shows_replies_and_an_edited_review(published_article):
    demo_seeded.send(sender=None)
    demo_seeded.send(sender=None)  # running seed_demo again adds nothing

    assert Review.objects.count() == 5
    answered = Review.objects.get(parent=None, reply__gt="")
    assert answered.replies.approved().count() == 2
    edited = Review.objects.get(parent=None, edited_at__isnull=False)
    assert ReviewRevision.objects.filter(review=edited, kind="edited").exists()
    page = Client().get(published_article.get_absolute_url()).content.decode()
    assert page.count('class="reader-reply"') == 2
    assert 'class="review-edited">edited<' in page
    assert "Reply from the newsroom" in page
