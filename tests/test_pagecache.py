"""The shared page cache: whole pages, the same for everyone, never stale, never poisoned.

Each attack that was once possible from outside is a test here: another Host or a forwarded
scheme changing what is stored, headers lost on a hit, a reader's token or signed timestamp
shared with everyone, random query strings filling the cache, and a change whose invalidation
the cache refused. tests/test_scaleout.py runs the same against two gunicorn processes and a
Redis that refuses writes.
"""

import gzip
import time
import uuid
from datetime import timedelta

import brotli
import pytest
from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Region
from articles.services import articles_publish, articles_unpublish
from images.models import Image
from images.services import make_renditions
from pagecache import invalidation
from pagecache.keys import LEASE_KEY
from pagecache.middleware import SharedPageCacheMiddleware
from pagecache.models import PendingInvalidation
from reviews.forms import sign_timestamp
from reviews.models import Review
from reviews.services import review_moderate
from tests.helpers import SITE, picture_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def long_lease(settings):
    """Keep the lease for the whole test: its renewal has tests of its own below."""
    settings.PAGE_CACHE_LEASE_SECONDS = 600


def queries_for(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, len(queries)


def served_from_cache(client, url, data=None, **extra) -> bool:
    """Return whether *url* came from the page cache: a stored page runs no query at all."""
    with CaptureQueriesContext(connection) as queries:
        client.get(url, data, **extra)
    return len(queries) == 0


def lease_runs_out() -> None:
    """Let the lease expire, as it does by itself after PAGE_CACHE_LEASE_SECONDS."""
    cache.delete(LEASE_KEY)


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

    def test_pages_are_public_for_browsers_and_cdns_with_an_etag_and_answer_304(
        self, client, published_article, settings
    ):
        response = client.get("/")
        cache_control = response["Cache-Control"]
        assert cache_control.startswith("public, ")
        # Browsers ask again each time (a cheap 304); CDNs keep it for PAGE_MAX_AGE.
        assert "max-age=0," in cache_control
        assert f"s-maxage={settings.PAGE_MAX_AGE}" in cache_control
        assert "stale-while-revalidate=" in cache_control
        again = client.get("/", HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
        assert again["ETag"] == response["ETag"]

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

    def test_private_pages_are_never_cached(self, client, published_article):
        for url in ("/healthz", reverse("reviews:form", args=[published_article.slug])):
            client.get(url)
            _, queries = queries_for(client, url)
            assert queries > 0, url

    @pytest.mark.parametrize(
        "path", ["/newsletter/", "/ru/newsletter/", "/ru/your-data/", "/ru/preview/1/"]
    )
    def test_personal_and_staff_pages_are_never_looked_up_in_any_language(self, rf, path):
        """Their forms carry the reader's own token, whatever the language's prefix; the
        cache must not even be asked (a response setting a cookie is not stored either)."""
        assert not SharedPageCacheMiddleware.may_be_shared(rf.get(path))
        assert SharedPageCacheMiddleware.may_be_shared(rf.get("/ru/regions/kavkaz/"))

    def test_a_russian_page_comes_from_the_cache_under_its_own_address(self, client, db):
        client.get("/ru/")
        assert served_from_cache(client, "/ru/")
        assert '<html lang="ru">' in client.get("/ru/").content.decode()

    def test_a_repeated_search_comes_from_the_cache(self, client, published_article):
        client.get("/search/", {"q": "almaty"})
        assert served_from_cache(client, "/search/", {"q": "almaty"})


class TestWholeResponses:
    """A hit is the stored response, every header included: it looks exactly like a miss."""

    def test_a_hit_carries_exactly_the_headers_of_the_miss(self, published_article, settings):
        settings.DEBUG = False
        url = published_article.get_absolute_url()
        miss = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
        hit = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert served_from_cache(Client(), url, HTTP_ACCEPT_ENCODING="gzip")
        assert dict(hit.items()) == dict(miss.items())
        assert hit["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in hit["Content-Security-Policy"]
        assert hit["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert hit["X-Content-Type-Options"] == "nosniff"
        assert hit.content == miss.content

    def test_pages_come_compressed_as_the_reader_asks(self, client, published_article):
        url = "/"
        plain = client.get(url)
        gzipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
        brotlied = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert "Content-Encoding" not in plain
        assert gzipped["Content-Encoding"] == "gzip"
        assert brotlied["Content-Encoding"] == "br"
        assert gzip.decompress(gzipped.content) == plain.content
        assert brotli.decompress(brotlied.content) == plain.content
        for response in (plain, gzipped, brotlied):
            assert response["Vary"] == "Accept-Encoding"
            assert int(response["Content-Length"]) == len(response.content)
        # An encoding refused with q=0 is not sent.
        assert "Content-Encoding" not in client.get(url, HTTP_ACCEPT_ENCODING="br;q=0, gzip;q=0")

    def test_feeds_and_sitemaps_are_compressed_too(self, client, published_article):
        for url in ("/feed/", "/sitemap.xml", "/sitemap-articles.xml"):
            response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
            assert response["Content-Encoding"] == "gzip", url
            assert gzip.decompress(response.content).startswith(b"<?xml"), url

    def test_the_home_page_gzipped_is_under_a_third_of_its_size(self, client, make_article):
        for _ in range(20):
            make_article()
        plain = client.get("/").content
        gzipped = client.get("/", HTTP_ACCEPT_ENCODING="gzip").content
        assert len(gzipped) <= 0.30 * len(plain)


class TestOneOriginWhateverTheHost:
    """The canonical origin is a setting; no Host or forwarded header reaches a page."""

    PAGES = ("/", "/feed/", "/feed/atom/", "/sitemap.xml", "/sitemap-articles.xml", "/robots.txt")

    @pytest.fixture
    def public_site(self, settings, published_article):
        settings.ALLOWED_HOSTS = ["news.example.org", "www.news.example.org"]
        settings.SITE_URL = "https://news.example.org"
        published_article.tags.add("diplomacy")
        return [*self.PAGES, published_article.get_absolute_url()]

    @pytest.mark.parametrize(
        "host",
        ["news.example.org:1337", "NEWS.EXAMPLE.ORG", "news.example.org.", "www.news.example.org"],
    )
    def test_another_allowed_host_never_changes_a_page(self, public_site, host):
        for url in public_site:
            # The attacker comes first, after an invalidation, to be the one stored.
            cache.clear()
            poisoned = Client().get(url, HTTP_HOST=host)
            honest = Client().get(url, HTTP_HOST="news.example.org")
            assert poisoned.status_code == 200, url
            assert poisoned.content == honest.content, url
            text = poisoned.content.decode()
            assert "1337" not in text and "NEWS.EXAMPLE" not in text, url
            assert "www.news.example.org" not in text and "testserver" not in text, url
            assert "https://news.example.org/" in text, url

    def test_a_forwarded_scheme_from_an_untrusted_client_changes_nothing(self, settings):
        settings.ALLOWED_HOSTS = ["news.example.org"]
        settings.SITE_URL = "http://news.example.org"
        headers = {
            "HTTP_HOST": "news.example.org",
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_X_FORWARDED_SSL": "on",
            "HTTP_X_FORWARDED_PROTOCOL": "ssl",
        }
        for url in self.PAGES:
            cache.clear()
            forwarded = Client().get(url, REMOTE_ADDR="198.51.100.9", **headers)
            assert b"https://" not in forwarded.content.replace(b"https://schema.org", b""), url

    def test_a_disallowed_host_is_refused_even_for_a_cached_page(self, settings, published_article):
        settings.DEBUG = False
        Client().get("/")
        assert Client().get("/", HTTP_HOST="evil.example").status_code == 400

    def test_every_absolute_url_in_a_story_page_is_on_the_site_origin(
        self, client, published_article
    ):
        page = client.get(published_article.get_absolute_url()).content.decode()
        assert f'<link rel="canonical" href="{SITE}{published_article.get_absolute_url()}">' in page
        assert "testserver" not in page


class TestNothingPersonalInSharedPages:
    def test_two_readers_of_a_cached_story_get_the_same_bytes_and_no_token(self, published_article):
        url = published_article.get_absolute_url()
        first = Client(enforce_csrf_checks=True).get(url)
        second = Client(enforce_csrf_checks=True).get(url)
        assert first.content == second.content
        assert b"csrfmiddlewaretoken" not in first.content
        assert b'name="timestamp"' not in first.content
        assert not first.cookies and not second.cookies

    def test_the_forms_own_page_gives_each_reader_their_own_token(self, published_article):
        url = reverse("reviews:form", args=[published_article.slug])
        first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
        first.get(url)
        second.get(url)
        assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value

    def test_a_bot_posting_at_once_after_loading_the_form_is_spam(self, published_article):
        bot = Client(enforce_csrf_checks=True)
        url = reverse("reviews:form", args=[published_article.slug])
        page = bot.get(url).content.decode()
        token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        timestamp = page.split('name="timestamp" value="', 1)[1].split('"', 1)[0]
        bot.post(
            url,
            {
                "csrfmiddlewaretoken": token,
                "timestamp": timestamp,
                "name": "Quick",
                "email": "quick@example.org",
                "body": "Buy cheap followers today.",
                "website": "",
            },
        )
        review = Review.objects.get()
        assert review.status == Review.Status.SPAM
        assert any("after the form was shown" in reason for reason in review.reasons)

    def test_another_readers_timestamp_is_as_fresh_as_when_it_was_signed(self, published_article):
        """A timestamp belongs to the moment its page was shown, not to a stored page."""
        signed = sign_timestamp(published_article.pk)
        url = reverse("reviews:form", args=[published_article.slug])
        Client().post(
            url,
            {
                "timestamp": signed,
                "name": "Copier",
                "email": "copier@example.org",
                "body": "Reusing a token.",
                "website": "",
            },
        )
        assert Review.objects.get().status == Review.Status.SPAM

    def test_thank_you_message_is_only_for_its_reader(self, published_article):
        url = published_article.get_absolute_url()
        Client().get(url)  # the page is now in the cache
        writer = Client()
        writer.post(
            reverse("reviews:form", args=(published_article.slug,)),
            {
                "name": "Writer",
                "email": "writer@example.org",
                "body": "Thanks for this piece.",
                "website": "",
                "timestamp": sign_timestamp(published_article.pk, at=time.time() - 60),
            },
        )
        assert b"Thank you" not in Client().get(url).content
        form_page = writer.get(reverse("reviews:form", args=(published_article.slug,)))
        assert b"Thank you" in form_page.content


class TestKeysThatCannotBeFlooded:
    def test_a_thousand_random_query_strings_add_no_page(self, client, published_article):
        client.get("/")
        with CaptureQueriesContext(connection) as queries:
            for _ in range(1000):
                parameter = uuid.uuid4().hex[:8]
                response = client.get(f"/?{parameter}={uuid.uuid4().hex}")
                assert response.status_code == 200
        # Every one of them was the home page as stored: not one was rendered, or kept.
        assert len(queries) == 0

    def test_shared_links_with_tracking_tags_hit_the_cache(self, client, published_article):
        url = published_article.get_absolute_url()
        client.get(url)
        tagged = f"{url}?utm_source=telegram&utm_medium=social&fbclid=IwAR0x&gclid=abc"
        assert served_from_cache(client, tagged)
        assert client.get(tagged).content == client.get(url).content

    def test_the_view_sees_only_the_parameters_the_page_is_stored_under(self, client, region):
        # An unknown parameter cannot change the page another reader is then served.
        page = client.get(region.get_absolute_url(), {"page": "1", "x": "<b>hi</b>"})
        assert b"&lt;b&gt;hi" not in page.content and b"<b>hi" not in page.content

    def test_one_client_can_add_only_so_many_pages_a_minute(self, settings, make_article):
        settings.PAGE_CACHE_STORES_PER_CLIENT = 3
        make_article(title="Wheat and water")
        crawler = Client(REMOTE_ADDR="198.51.100.20")
        for word in ("wheat", "water", "grain", "river", "dam"):
            crawler.get("/search/", {"q": word})
        stored = [served_from_cache(crawler, "/search/", {"q": word}) for word in ("wheat", "dam")]
        assert stored == [True, False]
        # Another reader still has room of their own.
        reader = Client(REMOTE_ADDR="198.51.100.21")
        reader.get("/search/", {"q": "dam"})
        assert served_from_cache(reader, "/search/", {"q": "dam"})


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

    def test_an_unpublished_story_leaves_every_page_that_linked_it(self, client, make_article):
        older = make_article(title="An older story")
        newest = make_article(title="The story to withdraw", publish_at=timezone.now())
        # The older story's page links the newest one ("Latest stories", "Next story").
        assert b"The story to withdraw" in client.get(older.get_absolute_url()).content
        newest.status = Article.Status.DRAFT
        newest.save()
        assert b"The story to withdraw" not in client.get(older.get_absolute_url()).content

    def test_scheduled_story_appears_when_its_time_comes(self, client, make_article, monkeypatch):
        story = make_article(
            title="Scheduled election analysis", publish_at=timezone.now() + timedelta(minutes=5)
        )
        assert b"Scheduled election analysis" not in client.get("/").content
        later = timezone.now() + timedelta(minutes=6)
        monkeypatch.setattr(timezone, "now", lambda: later)
        lease_runs_out()
        assert b"Scheduled election analysis" in client.get("/").content
        assert client.get(story.get_absolute_url()).status_code == 200

    def test_reviews_close_on_time_on_a_cached_story_page(self, client, make_article, monkeypatch):
        story = make_article(publish_at=timezone.now() - timedelta(days=29, hours=23))
        url = story.get_absolute_url()
        assert b"Write a review" in client.get(url).content
        later = timezone.now() + timedelta(hours=2)
        monkeypatch.setattr(timezone, "now", lambda: later)
        lease_runs_out()
        page = client.get(url).content
        assert b"Reviews are closed." in page and b"Write a review" not in page

    def test_lead_image_renditions_show_once_processed(self, client, make_article):
        # make_renditions() writes with one UPDATE, as scripts call it outside an image save
        # (process_images, seed_demo): no post_save is sent, renditions_changed is.
        image = Image(title="Harbour", alt_text="A harbour at dawn")
        image.file.save(
            "harbour.jpg", ContentFile(picture_bytes((800, 450)), name="harbour.jpg"), save=False
        )
        image.save()
        story = make_article(lead_image=image)
        assert b".webp" not in client.get(story.get_absolute_url()).content

        make_renditions(image)

        assert b".webp" in client.get(story.get_absolute_url()).content

    def test_a_library_images_new_alt_text_shows_on_the_stories_using_it(
        self, client, make_article, make_image
    ):
        image = make_image(alt_text="A harbour at dawn")
        story = make_article(lead_image=image)
        other = make_article()
        assert b"A harbour at dawn" in client.get(story.get_absolute_url()).content
        client.get(other.get_absolute_url())

        image.alt_text = "Fishing boats in the harbour at dawn"
        image.save()

        page = client.get(story.get_absolute_url()).content
        assert b"Fishing boats in the harbour at dawn" in page
        assert b"A harbour at dawn" not in page
        # A story without the picture keeps its stored page.
        assert served_from_cache(client, other.get_absolute_url())

    def test_renamed_region_shows_everywhere(self, client, published_article, region):
        client.get(published_article.get_absolute_url())
        region.name = "Eastern Partnership"
        region.save()
        assert b"Eastern Partnership" in client.get(published_article.get_absolute_url()).content

    def test_new_tag_shows_on_the_story_and_its_page(self, client, published_article):
        client.get(published_article.get_absolute_url())
        published_article.tags.add("pipelines")
        assert b"pipelines" in client.get(published_article.get_absolute_url()).content
        tag_page = client.get(reverse("articles:tag", args=["pipelines"]))
        assert published_article.title.encode() in tag_page.content

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

    def test_staff_see_a_review_approved_since_they_last_looked(
        self, client, editor, published_article, django_capture_on_commit_callbacks
    ):
        # Staff are never served stored pages, but the reviews block is kept for them too.
        client.force_login(editor)
        url = published_article.get_absolute_url()
        review = Review.objects.create(
            article=published_article, name="Ani", email="ani@example.org", body="Late praise."
        )
        assert b"Late praise." not in client.get(url).content
        with django_capture_on_commit_callbacks(execute=True):
            review_moderate(
                reviews=Review.objects.filter(pk=review.pk), status="approved", by=editor
            )
        assert b"Late praise." in client.get(url).content

    def test_approving_a_review_on_one_story_leaves_the_others_cached(
        self, client, editor, make_article, django_capture_on_commit_callbacks
    ):
        story_a, story_b = make_article(), make_article()
        for story in (story_a, story_b):
            client.get(story.get_absolute_url())
        client.get("/")
        review = Review.objects.create(
            article=story_a, name="Ani", email="ani@example.org", body="On story A."
        )
        with django_capture_on_commit_callbacks(execute=True):
            review_moderate(
                reviews=Review.objects.filter(pk=review.pk), status="approved", by=editor
            )
        assert served_from_cache(client, story_b.get_absolute_url())
        assert served_from_cache(client, "/")
        assert not served_from_cache(client, story_a.get_absolute_url())

    def test_a_publication_leaves_other_stories_and_regions_cached(self, client, make_article):
        elsewhere = Region.objects.create(name="Europe", slug="europe")
        story = make_article()
        client.get(story.get_absolute_url())
        client.get(elsewhere.get_absolute_url())
        make_article(title="News from the region", region=story.region)
        assert served_from_cache(client, story.get_absolute_url())
        assert served_from_cache(client, elsewhere.get_absolute_url())
        assert b"News from the region" in client.get("/").content

    def test_pending_submissions_do_not_flush_the_cache(self, client, published_article):
        client.get("/")
        client.get(published_article.get_absolute_url())
        Review.objects.create(
            article=published_article, name="Bot", email="b@example.org", body="Buy now."
        )
        assert served_from_cache(client, "/")
        assert served_from_cache(client, published_article.get_absolute_url())


class TestTheLease:
    def test_a_lease_past_its_middle_is_renewed_while_pages_still_come_from_the_cache(
        self, client, published_article, settings
    ):
        url = published_article.get_absolute_url()
        client.get(url)
        Article.objects.filter(pk=published_article.pk).update(title="Changed behind its back")
        ending = time.time() + 1
        cache.set(LEASE_KEY, ending, timeout=settings.PAGE_CACHE_LEASE_SECONDS)

        page = client.get(url).content

        assert b"Changed behind its back" not in page  # still the stored page
        assert cache.get(LEASE_KEY) > ending + settings.PAGE_CACHE_LEASE_SECONDS / 2

    def test_without_a_lease_nothing_is_served_from_the_cache_until_it_is_renewed(
        self, client, published_article, monkeypatch
    ):
        url = published_article.get_absolute_url()
        client.get(url)
        lease_runs_out()
        monkeypatch.setattr(invalidation, "renew_lease", lambda: False)
        assert not served_from_cache(client, url)


class TestAnInvalidationIsNeverLost:
    @pytest.fixture
    def refusing_cache(self, monkeypatch):
        """Make the shared cache refuse every new generation, as a read-only Redis would."""

        def refuse(data, timeout=None, version=None):
            return list(data)

        monkeypatch.setattr(cache, "set_many", refuse)
        return monkeypatch

    def test_an_unpublish_the_cache_refused_is_replayed_from_the_database(
        self, client, published_article, refusing_cache
    ):
        url = published_article.get_absolute_url()
        assert client.get(url).status_code == 200
        published_article.status = Article.Status.DRAFT
        published_article.save()
        assert PendingInvalidation.objects.exists()
        # While the cache refuses writes, the lease cannot be renewed: nothing is served from it.
        lease_runs_out()
        assert client.get(url).status_code == 404
        refusing_cache.undo()
        # Once it takes writes again, the first renewal replays the change, then forgets it.
        assert client.get(url).status_code == 404
        assert not PendingInvalidation.objects.exists()

    def test_a_writer_whose_invalidation_was_refused_waits_out_every_lease(
        self, published_article, refusing_cache, settings, django_capture_on_commit_callbacks
    ):
        slept = []
        refusing_cache.setattr(invalidation.time, "sleep", slept.append)
        with django_capture_on_commit_callbacks(execute=True):
            published_article.status = Article.Status.DRAFT
            published_article.save()
        assert slept and slept[0] >= settings.PAGE_CACHE_LEASE_SECONDS
        # The change's own row stays for the next renewal to replay.
        assert PendingInvalidation.objects.exists()

    def test_a_confirmed_invalidation_leaves_nothing_behind(
        self, published_article, django_capture_on_commit_callbacks
    ):
        before = set(PendingInvalidation.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            published_article.title = "Retitled"
            published_article.save()
        assert set(PendingInvalidation.objects.values_list("pk", flat=True)) <= before


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
