"""Links that never break: renamed pages answer 301 from their old addresses."""

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from articles.models import Author, Redirect, Region, Rubric
from articles.redirects import candidate_paths


def rename(instance, slug):
    instance.slug = slug
    instance.save()
    return instance


def assert_moved(client, old, new):
    response = client.get(old)
    assert response.status_code == 301, old
    assert response["Location"] == new
    assert client.get(new).status_code == 200


@pytest.mark.django_db
class TestSlugChanges:
    def test_renamed_story_redirects_from_its_old_address(self, client, published_article):
        rename(published_article, "almaty-peace-talks")
        assert_moved(client, "/articles/the-almaty-talks/", "/articles/almaty-peace-talks/")

    def test_cached_old_address_redirects_after_the_rename(self, client, published_article):
        # Readers have fetched (and the page cache kept) the story under its old address.
        assert client.get("/articles/the-almaty-talks/").status_code == 200
        assert client.get("/articles/the-almaty-talks/").status_code == 200
        rename(published_article, "renamed")
        assert_moved(client, "/articles/the-almaty-talks/", "/articles/renamed/")

    def test_chain_collapses_to_the_newest_address(self, client, published_article):
        rename(published_article, "b")
        rename(published_article, "c")
        assert_moved(client, "/articles/the-almaty-talks/", "/articles/c/")
        assert_moved(client, "/articles/b/", "/articles/c/")
        assert Redirect.objects.filter(new_path="/articles/b/").count() == 0

    def test_renaming_back_does_not_loop(self, client, published_article):
        rename(published_article, "b")
        rename(published_article, "the-almaty-talks")
        assert client.get("/articles/the-almaty-talks/").status_code == 200
        assert_moved(client, "/articles/b/", "/articles/the-almaty-talks/")
        assert list(Redirect.objects.values_list("old_path", "new_path")) == [
            ("/articles/b/", "/articles/the-almaty-talks/")
        ]

    def test_unpublished_story_leaves_no_redirect(self, draft_article):
        rename(draft_article, "still-a-draft")
        assert not Redirect.objects.exists()

    def test_saving_without_a_slug_change_records_nothing(self, published_article):
        published_article.title = "The Almaty talks, updated"
        published_article.save()
        assert not Redirect.objects.exists()

    def test_query_string_is_kept(self, client, published_article):
        rename(published_article, "new-slug")
        response = client.get("/articles/the-almaty-talks/?utm_source=mail&x=%3Cb%3E")
        assert response.status_code == 301
        assert response["Location"] == "/articles/new-slug/?utm_source=mail&x=%3Cb%3E"

    @pytest.mark.parametrize(
        ("make", "prefix"),
        [
            (lambda: Region.objects.get(slug="post-soviet-region"), "/regions/"),
            (lambda: Rubric.objects.get(slug="road-sign"), "/rubrics/"),
            (lambda: Tag.objects.get(slug="energy"), "/tags/"),
            (lambda: Author.objects.get(slug="zara"), "/authors/"),
        ],
    )
    def test_renamed_list_page_and_its_feeds_redirect(self, client, make_article, make, prefix):
        zara = Author.objects.create(name="Zara", slug="zara")
        make_article(tags=["energy"], authors=[zara])
        item = make()
        old_slug = item.slug
        rename(item, "renamed")
        assert_moved(client, f"{prefix}{old_slug}/", f"{prefix}renamed/")
        assert_moved(client, f"{prefix}{old_slug}/feed/", f"{prefix}renamed/feed/")
        assert_moved(client, f"{prefix}{old_slug}/feed/atom/", f"{prefix}renamed/feed/atom/")

    def test_unknown_address_stays_404(self, client, published_article):
        rename(published_article, "moved")
        assert client.get("/articles/never-existed/").status_code == 404
        assert client.post("/articles/the-almaty-talks/").status_code in (404, 405)


@pytest.mark.django_db
class TestNoCostOnNormalPages:
    def test_live_page_never_looks_up_redirects(self, client, published_article):
        Redirect.objects.create(old_path="/articles/x/", new_path="/articles/the-almaty-talks/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/articles/the-almaty-talks/").status_code == 200
        assert not any("articles_redirect" in query["sql"] for query in queries)

    def test_a_404_costs_one_lookup(self, client, db):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/no/such/page/").status_code == 404
        assert sum("articles_redirect" in query["sql"] for query in queries) == 1

    def test_candidate_paths_climb_to_but_not_including_the_root(self):
        assert candidate_paths("/regions/old/feed/atom/") == [
            "/regions/old/feed/atom/",
            "/regions/old/feed/",
            "/regions/old/",
            "/regions/",
        ]


@pytest.mark.django_db
class TestManualRedirects:
    @pytest.fixture
    def editor(self, db):
        user = User.objects.create_user("edna", password="pw", is_staff=True)
        user.groups.add(Group.objects.get(name="Editors"))
        return user

    def test_editor_adds_a_redirect_in_the_admin(self, client, editor, published_article):
        client.force_login(editor)
        response = client.post(
            "/admin/articles/redirect/add/",
            {"old_path": "/almaty/", "new_path": "/articles/the-almaty-talks/"},
        )
        assert response.status_code == 302
        client.logout()
        assert_moved(client, "/almaty/", "/articles/the-almaty-talks/")

    @pytest.mark.parametrize(
        ("old_path", "new_path", "field"),
        [
            ("/", "/articles/x/", "old_path"),
            ("no-slash", "/articles/x/", "old_path"),
            ("/a/?b=1", "/articles/x/", "old_path"),
            ("/a/", "javascript:alert(1)", "new_path"),
            ("/a/", "/a/", "new_path"),
        ],
    )
    def test_bad_redirect_is_refused_with_a_message(
        self, client, editor, old_path, new_path, field
    ):
        client.force_login(editor)
        response = client.post(
            "/admin/articles/redirect/add/", {"old_path": old_path, "new_path": new_path}
        )
        assert response.status_code == 200
        assert field in response.context["adminform"].form.errors
        assert not Redirect.objects.exists()
