"""The shared page cache: fast for anonymous readers, never wrong, never leaking."""

import io
import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.images import process_lead_image
from articles.models import Article
from articles.services import articles_publish, articles_unpublish
from reviews.forms import sign_timestamp
from reviews.models import Review
from reviews.services import review_moderate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def queries_for(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, len(queries)


@pytest.fixture
def editor(db) -> User:
    user = User.objects.create_user("ed", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["change_article", "publish_article", "edit_any_article"]
        )
    )
    return user


class TestServedFromCache:
    def test_second_anonymous_visit_runs_no_query(self, client, published_article):
        first, first_queries = queries_for(client, "/")
        second, second_queries = queries_for(client, "/")
        assert first.status_code == second.status_code == 200
        assert first_queries > 0
        assert second_queries == 0
        assert second.content == first.content

    def test_pages_are_public_with_an_etag_and_answer_304(self, client, published_article):
        response = client.get("/")
        assert response["Cache-Control"].startswith("public, max-age=")
        assert "stale-while-revalidate=" in response["Cache-Control"]
        again = client.get("/", HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304

    def test_page_numbers_are_cached_separately(self, client, make_article, region):
        for _ in range(25):
            make_article()
        url = region.get_absolute_url()
        assert client.get(url).content != client.get(url + "?page=2").content

    def test_staff_never_see_or_fill_the_public_cache(self, client, editor, draft_article):
        client.force_login(editor)
        staff_page = client.get("/")
        assert staff_page.status_code == 200
        _, anonymous_queries = queries_for(Client(), "/")
        assert anonymous_queries > 0, "the editor's visit must not have filled the cache"
        _, staff_queries = queries_for(client, "/")
        assert staff_queries > 0, "the editor must not be served the cached page"

    @pytest.mark.parametrize("path", ["/search/?q=talks", "/healthz"])
    def test_private_paths_are_never_cached(self, client, published_article, path):
        client.get(path)
        _, queries = queries_for(client, path)
        assert queries > 0


class TestInvalidation:
    def test_new_story_shows_at_the_next_request(self, client, make_article):
        client.get("/")
        make_article(title="Breaking: a new ceasefire")
        assert b"Breaking: a new ceasefire" in client.get("/").content

    def test_edited_title_shows_on_the_story_and_lists(self, client, published_article, region):
        client.get(published_article.get_absolute_url())
        client.get(region.get_absolute_url())
        published_article.title = "The Almaty talks, corrected"
        published_article.save()
        assert b"corrected" in client.get(published_article.get_absolute_url()).content
        assert b"corrected" in client.get(region.get_absolute_url()).content

    def test_bulk_publish_and_unpublish_show_at_once(self, client, editor, draft_article):
        client.get("/")
        articles_publish(queryset=Article.objects.filter(pk=draft_article.pk), by=editor)
        assert draft_article.title.encode() in client.get("/").content
        articles_unpublish(queryset=Article.objects.filter(pk=draft_article.pk), by=editor)
        assert draft_article.title.encode() not in client.get("/").content
        assert client.get(draft_article.get_absolute_url()).status_code == 404

    def test_scheduled_story_appears_when_its_time_comes(self, client, make_article, monkeypatch):
        story = make_article(
            title="Scheduled election analysis", publish_at=timezone.now() + timedelta(minutes=5)
        )
        assert b"Scheduled election analysis" not in client.get("/").content
        later = timezone.now() + timedelta(minutes=6)
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert b"Scheduled election analysis" in client.get("/").content
        assert client.get(story.get_absolute_url()).status_code == 200

    def test_lead_image_renditions_show_once_processed(self, client, make_article):
        # process_lead_image() writes with one UPDATE, as scripts call it outside a story
        # save (seed_demo draws pictures for stories that exist): no post_save is sent.
        picture = io.BytesIO()
        Image.new("RGB", (800, 450), "teal").save(picture, "JPEG")
        story = make_article(
            lead_image=SimpleUploadedFile("harbour.jpg", picture.getvalue()),
            lead_image_alt="A harbour at dawn",
        )
        assert b".webp" not in client.get(story.get_absolute_url()).content

        process_lead_image(story)

        assert b".webp" in client.get(story.get_absolute_url()).content

    def test_renamed_region_shows_everywhere(self, client, published_article, region):
        client.get(published_article.get_absolute_url())
        region.name = "Eastern Partnership"
        region.save()
        assert b"Eastern Partnership" in client.get(published_article.get_absolute_url()).content

    def test_new_tag_shows_on_the_story(self, client, published_article):
        client.get(published_article.get_absolute_url())
        published_article.tags.add("pipelines")
        assert b"pipelines" in client.get(published_article.get_absolute_url()).content

    def test_approved_review_shows_and_rejected_one_goes(
        self, client, editor, published_article, django_capture_on_commit_callbacks
    ):
        review = Review.objects.create(
            article=published_article, name="Ani", email="ani@example.org", body="Sharp analysis."
        )
        url = published_article.get_absolute_url()
        assert b"Sharp analysis." not in client.get(url).content
        # Bulk moderation is one UPDATE; it announces itself once the transaction commits.
        with django_capture_on_commit_callbacks(execute=True):
            review_moderate(
                reviews=Review.objects.filter(pk=review.pk), status="approved", by=editor
            )
        assert b"Sharp analysis." in client.get(url).content
        with django_capture_on_commit_callbacks(execute=True):
            review_moderate(
                reviews=Review.objects.filter(pk=review.pk), status="rejected", by=editor
            )
        assert b"Sharp analysis." not in client.get(url).content

    def test_pending_submissions_do_not_flush_the_cache(self, client, published_article):
        client.get("/")
        Review.objects.create(
            article=published_article, name="Bot", email="b@example.org", body="Buy now."
        )
        _, queries = queries_for(client, "/")
        assert queries == 0


class TestNothingLeaksBetweenReaders:
    def test_each_reader_gets_a_token_for_their_own_cookie(self, published_article):
        url = published_article.get_absolute_url()
        first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
        first_page = first.get(url)
        second_page = second.get(url)
        first_token = TOKEN.search(first_page.content.decode())[1]
        second_token = TOKEN.search(second_page.content.decode())[1]
        assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
        assert first_token != second_token
        # The second page came from the cache, with the second reader's own token, which works.
        response = second.post(
            reverse("reviews:submit", args=(published_article.pk,)),
            {
                "csrfmiddlewaretoken": second_token,
                "name": "Second reader",
                "email": "second@example.org",
                "body": "A review sent with my own token.",
                "website": "",
                "timestamp": sign_timestamp(published_article.pk, at=time.time() - 60),
            },
        )
        assert response.status_code == 302
        assert Review.objects.filter(name="Second reader").exists()

    def test_a_returning_reader_gets_no_new_cookie_and_a_shareable_page(self, published_article):
        url = published_article.get_absolute_url()
        reader = Client()
        reader.get(url)
        again = reader.get(url)
        assert "csrftoken" not in again.cookies
        assert again["Cache-Control"].startswith("public")
        assert "Cookie" in again["Vary"]

    def test_a_first_visit_that_sets_a_cookie_is_private(self, published_article):
        response = Client().get(published_article.get_absolute_url())
        assert "csrftoken" in response.cookies
        assert response["Cache-Control"].startswith("private")

    def test_thank_you_message_is_only_for_its_reader(self, published_article):
        url = published_article.get_absolute_url()
        Client().get(url)  # the page is now in the cache
        writer = Client()
        writer.post(
            reverse("reviews:submit", args=(published_article.pk,)),
            {
                "name": "Writer",
                "email": "writer@example.org",
                "body": "Thanks for this piece.",
                "website": "",
                "timestamp": sign_timestamp(published_article.pk, at=time.time() - 60),
            },
        )
        assert b"Thank you" in writer.get(url).content
        assert b"Thank you" not in Client().get(url).content

    def test_form_errors_are_never_cached(self, published_article):
        url = published_article.get_absolute_url()
        Client().get(url)
        response = Client().post(
            reverse("reviews:submit", args=(published_article.pk,)),
            {"name": "Typed name", "email": "not-an-email", "body": "x", "website": ""},
        )
        assert "no-store" in response["Cache-Control"]
        assert b"Typed name" not in Client().get(url).content


class TestCacheOutage:
    def test_pages_are_served_uncached_when_redis_is_down(self, settings, client, make_article):
        settings.CACHES = {
            "default": {
                "BACKEND": "serving.cache.ResilientRedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
            }
        }
        make_article(title="Served without a cache")
        for _ in range(2):
            response = client.get("/")
            assert response.status_code == 200
            assert b"Served without a cache" in response.content
