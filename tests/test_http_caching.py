"""HTTP caching: what a CDN or proxy in front may keep, and what it must not.

Anonymous reader pages (search included) are public, carry an ETag and answer a conditional
request with 304 (the page cache does this; tests/test_pagecache.py covers how it stays
correct). Pages that belong to one person — the admin, previews, share links, the review
form's page, and anything rendered for someone holding a session or a message — say private
or no-store.
"""

import time

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from reviews.forms import sign_timestamp

pytestmark = pytest.mark.django_db


def must_not_be_shared(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return "private" in cache_control or "no-store" in cache_control


@pytest.fixture
def editor(db) -> User:
    user = User.objects.create_user("ed", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_article", "change_article", "publish_article", "edit_any_article"]
        )
    )
    return user


@pytest.fixture
def reader_pages(published_article, region, rubric) -> list[str]:
    published_article.tags.add("diplomacy")
    return [
        "/",
        published_article.get_absolute_url(),
        region.get_absolute_url(),
        rubric.get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": "diplomacy"}),
        "/feed/",
        "/feed/atom/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/robots.txt",
        "/search/?q=talks",
    ]


class TestAnonymousPagesAreShareable:
    def test_reader_pages_are_public_with_an_etag(self, reader_pages):
        reader = Client()
        for url in reader_pages:
            response = reader.get(url)
            assert response.status_code == 200, url
            assert response["Cache-Control"].startswith("public, max-age="), url
            assert "s-maxage=" in response["Cache-Control"], url
            assert response["ETag"], url
            # No cookie is handed out: nothing on a shared page needs one.
            assert not response.cookies, url

    def test_unchanged_pages_answer_304(self, reader_pages):
        reader = Client()
        for url in reader_pages:
            reader.get(url)
            etag = reader.get(url)["ETag"]
            again = reader.get(url, HTTP_IF_NONE_MATCH=etag)
            assert again.status_code == 304, url
            assert again.content == b""

    def test_a_changed_page_answers_200_to_the_old_etag(self, client, published_article):
        url = published_article.get_absolute_url()
        client.get(url)
        etag = client.get(url)["ETag"]
        published_article.title = "A corrected headline"
        published_article.save()
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200
        assert b"A corrected headline" in response.content

    def test_moved_missing_and_gone_answers_say_how_long_a_cdn_may_keep_them(
        self, client, published_article
    ):
        # Without a lifetime, a CDN holding the story's 200 went on serving it (as "stale")
        # after the story was renamed, unpublished or withdrawn.
        old = published_article.get_absolute_url()
        published_article.slug = "renamed-story"
        published_article.save()
        moved = client.get(old)
        published_article.status = published_article.Status.DRAFT
        published_article.save()
        gone = client.get(old)
        missing = client.get("/articles/never-was/")
        for response, status in ((moved, 301), (gone, 410), (missing, 404)):
            assert response.status_code == status
            assert response["Cache-Control"].startswith("public, max-age=0"), status
            assert "s-maxage=30" in response["Cache-Control"], status
            assert not response.cookies

    def test_a_missing_page_seen_by_staff_stays_private(self, client, editor):
        client.force_login(editor)
        response = client.get("/articles/never-was/")
        assert response.status_code == 404
        assert must_not_be_shared(response)


class TestPersonalPagesAreNeverShared:
    def test_the_review_forms_page(self, client, published_article):
        response = client.get(reverse("reviews:form", args=(published_article.slug,)))
        assert response.status_code == 200
        assert must_not_be_shared(response)
        assert "ETag" not in response

    def test_admin_login_and_pages(self, client, editor):
        assert must_not_be_shared(client.get("/admin/login/"))
        client.force_login(editor)
        assert must_not_be_shared(client.get("/admin/"))
        assert must_not_be_shared(client.get("/admin/articles/article/"))

    def test_staff_preview(self, client, editor, draft_article):
        client.force_login(editor)
        response = client.get(reverse("articles:preview", args=(draft_article.pk,)))
        assert response.status_code == 200
        assert must_not_be_shared(response)

    def test_reader_pages_seen_by_staff(self, client, editor, reader_pages):
        client.force_login(editor)
        for url in reader_pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert must_not_be_shared(response), url
            assert "ETag" not in response, url

    def test_form_errors(self, client, published_article):
        client.get(published_article.get_absolute_url())
        response = client.post(
            reverse("reviews:form", args=(published_article.slug,)),
            {"name": "Typed name", "email": "not-an-email", "body": "x", "website": ""},
        )
        assert b"Typed name" in response.content
        assert must_not_be_shared(response)

    def test_pages_seen_with_a_readers_thank_you_waiting(self, client, published_article):
        url = published_article.get_absolute_url()
        client.post(
            reverse("reviews:form", args=(published_article.slug,)),
            {
                "name": "Writer",
                "email": "writer@example.org",
                "body": "Thanks for this piece.",
                "website": "",
                "timestamp": sign_timestamp(published_article.pk, at=time.time() - 60),
            },
        )
        # The thank-you waits in a cookie: whatever page the reader opens is rendered for them.
        response = client.get(url)
        assert must_not_be_shared(response)
        thanks = client.get(reverse("reviews:form", args=(published_article.slug,)))
        assert b"Thank you" in thanks.content
        assert must_not_be_shared(thanks)

    def test_static_files_stay_public_for_staff(self, client, editor, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        (tmp_path / "note.txt").write_text("shared")
        client.force_login(editor)
        response = client.get("/media/note.txt")
        assert response.status_code == 200
        assert "private" not in response.get("Cache-Control", "")
