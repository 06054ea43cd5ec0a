"""What the public sees of the conversation: the shared story page, the feeds and the API.

The story page is cached and served to everyone, so it shows approved reviews and their
approved replies only, in the same few queries whatever their number, and nothing of one
reader's: no edit link, no form token, no "you reported this".
"""

import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pagecache.invalidation import invalidate
from reviews.models import Review, ReviewReport, ReviewRevision
from reviews.services import client_fingerprint, review_moderate

pytestmark = pytest.mark.django_db

HIDDEN = "Hidden words nobody may read"


def many_reviews(article, count: int, replies_each: int) -> None:
    """Add *count* approved reviews to *article*, each with *replies_each* approved replies,
    and as many waiting, in a few INSERTs."""
    fingerprint = client_fingerprint("198.51.100.1")
    reviews = Review.objects.bulk_create(
        Review(
            article=article,
            name=f"Reader {number}",
            email=f"reader{number}@example.org",
            body=f"Review number {number}.",
            status=Review.Status.APPROVED,
            fingerprint=fingerprint,
        )
        for number in range(count)
    )
    Review.objects.bulk_create(
        Review(
            article=article,
            parent=review,
            name=f"Replier {number}",
            email=f"replier{number}@example.org",
            body=f"Reply {number} to {review.name}.",
            status=status,
            fingerprint=fingerprint,
        )
        for review in reviews
        for number in range(replies_each)
        for status in (Review.Status.APPROVED, Review.Status.PENDING)
    )


def render_block(article) -> tuple[str, int]:
    template = Template("{% load reviews %}{% reviews_for article %}")
    with CaptureQueriesContext(connection) as queries:
        html = template.render(Context({"article": article}))
    return html, len(queries)


def test_the_reviews_block_costs_four_queries_with_a_thousand_reviews_and_replies(
    published_article, make_article
):
    small = make_article()
    many_reviews(small, 1, 1)
    many_reviews(published_article, 1000, 2)
    assert Review.objects.filter(article=published_article).count() == 5000

    _html, few = render_block(small)
    html, lots = render_block(published_article)

    assert few == lots == 4  # the rules, the count, the page, the page's replies
    assert html.count('class="review"') == 50
    assert html.count('class="reader-reply"') == 100
    assert "1000 reviews" in html


def test_a_story_page_with_a_thousand_reviews_costs_what_one_with_one_does(
    client, published_article, make_article, no_page_cache
):
    small = make_article()
    many_reviews(small, 1, 1)
    many_reviews(published_article, 1000, 2)

    def queries(article, **params) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(article.get_absolute_url(), params)
        assert response.status_code == 200
        return len(captured)

    for article in (small, published_article):
        queries(article)  # the blocks every page shares
    # A change to their reviews: each story's blocks are rendered again, then kept.
    invalidate([small.get_absolute_url(), published_article.get_absolute_url()])
    rendered = [
        queries(small),
        queries(published_article),
        queries(published_article, reviews_page=20),
    ]
    kept = [queries(small), queries(published_article)]

    assert rendered == [rendered[0]] * 3
    assert kept == [kept[0]] * 2
    assert kept[0] < rendered[0]


def test_unapproved_replies_edits_and_reports_never_reach_the_public(
    client, published_article, make_review
):
    review = make_review(body="A published review.")
    for status in ("pending", "rejected", "spam", "withdrawn"):
        make_review(
            parent=review, name=f"{status} replier", body=f"{HIDDEN} ({status})", status=status
        )
    held = make_review(body="A held review.", status="pending")
    make_review(parent=held, body=f"{HIDDEN} (under a held review)")
    ReviewRevision.objects.create(review=review, kind="edited", body=f"{HIDDEN} (before the edit)")
    ReviewReport.objects.create(
        review=review, fingerprint="a" * 64, reason="other", text=f"{HIDDEN} (report)"
    )

    pages = {
        "story": client.get(published_article.get_absolute_url()),
        "rss": client.get(reverse("articles-feed")),
        "atom": client.get(reverse("articles-feed-atom")),
        "api story": client.get(f"/api/v1/stories/{published_article.slug}/"),
        "api reviews": client.get(f"/api/v1/stories/{published_article.slug}/reviews/"),
    }

    for name, response in pages.items():
        assert response.status_code == 200, name
        text = response.content.decode()
        assert HIDDEN not in text, name
        assert "replier" not in text, name
    assert pages["api story"].json()["review_count"] == 1
    assert "A published review." in pages["story"].content.decode()


def test_the_api_nests_approved_replies_and_keeps_the_first_releases_fields(
    client, published_article, make_review
):
    review = make_review(name="Nino", body="A review.", reply="The newsroom answers.")
    reply = make_review(parent=review, name="Giorgi", body="A reply.")
    make_review(parent=review, body="Waiting.", status="pending")
    Review.objects.filter(pk=reply.pk).update(edited_at=reply.created_at)

    (item,) = client.get(f"/api/v1/stories/{published_article.slug}/reviews/").json()["items"]

    assert {"id", "name", "body", "created_at", "newsroom_reply"} <= set(item)
    assert item["id"] == review.pk
    assert item["newsroom_reply"]["body"] == "The newsroom answers."
    assert item["edited_at"] is None
    assert [(r["id"], r["name"], r["body"]) for r in item["replies"]] == [
        (reply.pk, "Giorgi", "A reply.")
    ]
    assert item["replies"][0]["edited_at"] is not None
    assert "email" not in str(item)


def test_the_api_lists_reviews_in_a_constant_number_of_queries(
    client, published_article, make_article, no_page_cache
):
    many_reviews(published_article, 300, 2)
    small = make_article()
    many_reviews(small, 1, 1)

    def count(article) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/stories/{article.slug}/reviews/", {"limit": 100})
        assert response.status_code == 200
        return len(queries)

    assert count(small) == count(published_article)


def test_the_cached_story_page_carries_nothing_of_one_reader(
    client, published_article, make_review, post_review
):
    review = make_review(body="Something to reply to.")
    response = post_review(published_article, body="My own review, just sent.")
    thank_you = client.get(response["Location"]).content.decode()
    edit_link = re.search(r'href="(/reviews/\d+/edit/[^"]+/)"', thank_you).group(1)

    # The reader who just sent, and a stranger served from the cache, get the same page.
    mine = client.get(published_article.get_absolute_url()).content.decode()
    stranger = Client().get(published_article.get_absolute_url())
    theirs = stranger.content.decode()

    for page in (mine, theirs):
        assert "/edit/" not in page
        assert edit_link not in page
        assert "csrfmiddlewaretoken" not in page
        assert 'name="timestamp"' not in page
        assert "My own review, just sent." not in page  # pending
        assert "Thank you" not in page
        # The reply and report links are the same for everyone.
        assert reverse("reviews:reply", args=(published_article.slug, review.pk)) in page
        assert reverse("reviews:report", args=(review.pk,)) in page
    assert "public" in stranger["Cache-Control"]
    assert not stranger.cookies


# -- Many replies: the first few under the review, the rest on its pages of replies ------------

LONG = "A long reply, word after word. " * 60


def replies_to(review, count: int, *, status: str = Review.Status.APPROVED) -> list[Review]:
    """Add *count* long replies to *review*, oldest first, in one INSERT."""
    return Review.objects.bulk_create(
        Review(
            article=review.article,
            parent=review,
            name=f"Replier {number}",
            email=f"replier{number}@example.org",
            body=f"Reply number {number}. {LONG}",
            status=status,
        )
        for number in range(count)
    )


def replies_url(review, **params) -> str:
    url = reverse("reviews:replies", args=(review.article.slug, review.pk))
    return f"{url}?page={params['page']}" if params else url


def test_the_story_shows_the_first_replies_and_links_to_all_of_them(
    client, published_article, make_review, settings
):
    settings.REVIEWS_REPLIES_SHOWN = 5
    review = make_review(name="Nino", body="A review with many answers.")
    replies_to(review, 60)
    replies_to(review, 3, status=Review.Status.PENDING)
    quiet = make_review(name="Tamar", body="A review with few answers.")
    replies_to(quiet, 5)

    page = client.get(published_article.get_absolute_url()).content.decode()

    assert page.count('class="reader-reply"') == 5 + 5
    for number in range(5):
        assert f"Reply number {number}." in page
    assert "Reply number 5." not in page
    assert f'href="{replies_url(review)}">All 60 replies' in page
    assert replies_url(quiet) not in page  # all five are shown already


def test_a_reviews_pages_of_replies_list_them_fifty_a_page(client, make_review):
    review = make_review(name="Nino", body="A review with many answers.")
    replies = replies_to(review, 60)
    replies_to(review, 2, status=Review.Status.PENDING)

    first = client.get(replies_url(review))
    second = client.get(replies_url(review, page=2))

    assert first.status_code == second.status_code == 200
    html = first.content.decode()
    assert "60 replies to the review by Nino" in html
    assert "A review with many answers." in html  # the review they answer, quoted
    assert html.count('class="reader-reply"') == 50
    assert second.content.decode().count('class="reader-reply"') == 10
    assert "Reply number 59. " in second.content.decode()
    assert client.get(replies_url(review, page=3)).status_code == 404
    # A later reply's own address is on these pages; an early one's, on the story page.
    assert (
        replies[59].get_absolute_url() == f"{replies_url(review, page=2)}#review-{replies[59].pk}"
    )
    assert (
        replies[50].get_absolute_url() == f"{replies_url(review, page=2)}#review-{replies[50].pk}"
    )
    assert replies[5].get_absolute_url() == f"{replies_url(review)}#review-{replies[5].pk}"
    assert replies[4].get_absolute_url().startswith(review.article.get_absolute_url() + "#")


@pytest.mark.parametrize("status", ["pending", "rejected", "spam", "withdrawn"])
def test_a_review_that_is_not_public_has_no_pages_of_replies(client, make_review, status):
    review = make_review(status=status, body="Not public.")
    replies_to(review, 6)

    response = client.get(replies_url(review))

    assert response.status_code == 404
    assert "Not public." not in response.content.decode()


def test_a_reply_cannot_have_pages_of_replies(client, make_review):
    review = make_review()
    (reply,) = replies_to(review, 1)

    assert client.get(replies_url(reply)).status_code == 404


def test_the_pages_of_replies_are_shared_and_refreshed_with_the_story(
    client, make_review, moderator, after_commit
):
    review = make_review(name="Nino", body="A review with many answers.")
    replies_to(review, 6)
    first = Client().get(replies_url(review))
    assert "public" in first["Cache-Control"]
    assert not first.cookies
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(replies_url(review)).status_code == 200
    assert len(queries) == 0  # from the page cache

    (late,) = replies_to(review, 1, status=Review.Status.PENDING)
    with after_commit():
        review_moderate(reviews=Review.objects.filter(pk=late.pk), status="approved", by=moderator)

    assert "7 replies to the review by Nino" in Client().get(replies_url(review)).content.decode()
    with after_commit():
        review_moderate(reviews=Review.objects.filter(pk=review.pk), status="pending", by=moderator)
    assert Client().get(replies_url(review)).status_code == 404


def test_the_story_block_costs_the_same_queries_with_sixty_replies_a_review(
    published_article, make_article
):
    small = make_article()
    many_reviews(small, 1, 1)
    many_reviews(published_article, 50, 60)

    _html, few = render_block(small)
    html, lots = render_block(published_article)

    assert few == lots == 4
    assert html.count('class="reader-reply"') == 50 * 5
    assert html.count("All 60 replies") == 50
