"""Who may see which story, how lists page, and what readers get when something is wrong."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author, Region

LIST_URLS = [
    "/regions/post-soviet-region/",
    "/rubrics/road-sign/",
    "/tags/diplomacy/",
    "/authors/ann-aliyeva/",
]


@pytest.fixture
def ann(db) -> Author:
    return Author.objects.create(name="Ann Aliyeva", slug="ann-aliyeva")


@pytest.fixture
def hidden_stories(make_article, ann) -> list[Article]:
    """Stories the public must not see: a draft, one in review, one scheduled for tomorrow."""
    shared = {"tags": ["diplomacy"], "authors": [ann], "featured": True}
    return [
        make_article(title="Secret draft", status=Article.Status.DRAFT, **shared),
        make_article(title="Secret in review", status=Article.Status.REVIEW, **shared),
        make_article(
            title="Secret scheduled",
            publish_at=timezone.now() + timedelta(days=1),
            **shared,
        ),
    ]


def user_with_perms(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username, password="changeme", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="articles").filter(
            codename__in=codenames
        )
    )
    return user


@pytest.mark.django_db
class TestThePublishedGate:
    def test_hidden_stories_answer_404_on_their_page(self, client, hidden_stories):
        for article in hidden_stories:
            assert client.get(article.get_absolute_url()).status_code == 404

    def test_hidden_stories_are_absent_from_home_and_every_list(
        self, client, hidden_stories, published_article, ann
    ):
        published_article.tags.add("diplomacy")
        published_article.authors.add(ann)
        for url in ["/", *LIST_URLS]:
            response = client.get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            assert published_article.get_absolute_url() in page, url
            assert "Secret" not in page, url

    def test_hidden_stories_are_never_a_neighbour(self, client, make_article, hidden_stories):
        now = timezone.now()
        older = make_article(title="Older public", publish_at=now - timedelta(days=3))
        newer = make_article(title="Newer public", publish_at=now - timedelta(hours=1))
        for article, when in zip(hidden_stories, (2, 1.5), strict=False):
            article.publish_at = now - timedelta(days=when)
            article.save()
        page = client.get(older.get_absolute_url()).content.decode()
        assert f'rel="next" href="{newer.get_absolute_url()}"' in page
        assert "Secret" not in page

    def test_scheduled_story_appears_by_itself_when_its_time_comes(self, client, make_article):
        article = make_article(title="Due soon", publish_at=timezone.now() + timedelta(seconds=1))
        assert client.get(article.get_absolute_url()).status_code == 404
        Article.objects.filter(pk=article.pk).update(publish_at=timezone.now())
        assert client.get(article.get_absolute_url()).status_code == 200


@pytest.mark.django_db
class TestPagination:
    @pytest.fixture
    def region_with_45_stories(self, make_article):
        return [make_article() for _ in range(45)]

    def test_first_page_has_the_20_newest(self, client, region_with_45_stories):
        response = client.get("/regions/post-soviet-region/")
        assert response.status_code == 200
        assert list(response.context["object_list"]) == region_with_45_stories[:20]
        page = response.content.decode()
        assert "Page 1 of 3" in page
        assert 'rel="next" href="?page=2"' in page
        assert 'rel="prev"' not in page

    def test_last_page_has_the_rest(self, client, region_with_45_stories):
        response = client.get("/regions/post-soviet-region/?page=3")
        assert response.status_code == 200
        assert list(response.context["object_list"]) == region_with_45_stories[40:]
        page = response.content.decode()
        assert 'rel="prev" href="?page=2"' in page
        assert 'rel="next"' not in page

    @pytest.mark.parametrize("page", ["4", "999", "0", "-1", "abc", "1.5", "%00", "9" * 40])
    def test_page_beyond_or_garbage_is_404(self, client, region_with_45_stories, page):
        assert client.get(f"/regions/post-soviet-region/?page={page}").status_code == 404

    def test_empty_list_has_a_first_page_only(self, client, region):
        assert client.get("/regions/post-soviet-region/").status_code == 200
        assert client.get("/regions/post-soviet-region/?page=2").status_code == 404

    def test_short_list_shows_no_pagination(self, client, published_article):
        page = client.get("/regions/post-soviet-region/").content.decode()
        assert 'class="pagination"' not in page


@pytest.mark.django_db
class TestStaffPreview:
    def preview_url(self, article: Article) -> str:
        return reverse("articles:preview", kwargs={"pk": article.pk})

    def test_editor_previews_a_draft_with_banner_noindex_and_no_cache(self, client, draft_article):
        editor = user_with_perms("editor", "change_article", "edit_any_article")
        client.force_login(editor)
        response = client.get(self.preview_url(draft_article))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Preview — not published" in page
        assert "Status: Draft" in page
        assert "An unfinished draft" in page
        assert '<meta name="robots" content="noindex, nofollow">' in page
        assert "no-cache" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
        assert response["X-Robots-Tag"].startswith("noindex")

    @pytest.mark.parametrize("status", ["draft", "review", "published"])
    def test_editor_previews_any_status_including_scheduled(self, client, make_article, status):
        article = make_article(status=status, publish_at=timezone.now() + timedelta(days=2))
        client.force_login(user_with_perms("editor", "change_article", "edit_any_article"))
        assert client.get(self.preview_url(article)).status_code == 200

    def test_author_previews_their_own_story(self, client, make_article):
        user = user_with_perms("ann", "change_article")
        ann = Author.objects.create(name="Ann Aliyeva", slug="ann-aliyeva", user=user)
        article = make_article(status=Article.Status.REVIEW, authors=[ann])
        client.force_login(user)
        assert client.get(self.preview_url(article)).status_code == 200

    def test_unrelated_author_gets_404(self, client, draft_article):
        client.force_login(user_with_perms("bob", "change_article"))
        assert client.get(self.preview_url(draft_article)).status_code == 404

    def test_logged_in_user_without_change_permission_gets_404(self, client, draft_article):
        client.force_login(user_with_perms("viewer", "view_article", "edit_any_article"))
        assert client.get(self.preview_url(draft_article)).status_code == 404

    def test_anonymous_reader_gets_404(self, client, draft_article):
        assert client.get(self.preview_url(draft_article)).status_code == 404

    def test_public_page_of_a_published_story_is_indexable(self, client, published_article):
        response = client.get(published_article.get_absolute_url())
        page = response.content.decode()
        assert "noindex" not in page
        assert "Preview — not published" not in page
        assert "X-Robots-Tag" not in response.headers


@pytest.mark.django_db
class TestErrorPages:
    def test_missing_page_shows_our_branded_404(self, client, settings):
        settings.DEBUG = False
        Region.objects.create(name="Central Asia", slug="central-asia")
        response = client.get("/no/such/page/")
        assert response.status_code == 404
        page = response.content.decode()
        assert "We could not find that page" in page
        assert 'class="site-nav"' in page and "Central Asia" in page
        assert "Go to the front page" in page

    def test_missing_story_shows_our_branded_404(self, client, settings, db):
        settings.DEBUG = False
        response = client.get("/articles/never-written/")
        assert response.status_code == 404
        assert "We could not find that page" in response.content.decode()

    def test_server_error_shows_our_page_without_touching_the_database(
        self, settings, monkeypatch, django_assert_num_queries, db, no_page_cache
    ):
        settings.DEBUG = False

        def explode(*args, **kwargs):
            raise RuntimeError("the printing press is on fire")

        monkeypatch.setattr("articles.views.HomeView.get_context_data", explode)
        client = Client(raise_request_exception=False)
        with django_assert_num_queries(0):
            response = client.get("/")
        assert response.status_code == 500
        page = response.content.decode()
        assert "Something went wrong on our side" in page
        assert "printing press" not in page
        assert settings.NEWSROOM_SITE_NAME in page

    def test_bad_request_shows_our_page(self, client, settings, db):
        settings.DEBUG = False
        response = client.get("/", headers={"host": "evil.example"})
        assert response.status_code == 400
        assert "We could not understand that request" in response.content.decode()

    def test_forbidden_shows_our_page(self, rf, db):
        from django.core.exceptions import PermissionDenied
        from django.views.defaults import permission_denied

        response = permission_denied(rf.get("/"), PermissionDenied())
        assert response.status_code == 403
        assert "You may not open this page" in response.content.decode()


def test_story_links_follow_the_script_prefix_of_each_request(published_article):
    """Links are remembered per process, but a site served under a prefix still gets it."""
    from django.urls import set_script_prefix

    plain = published_article.get_absolute_url()
    try:
        set_script_prefix("/news/")
        prefixed = published_article.get_absolute_url()
    finally:
        set_script_prefix("/")

    assert plain == reverse("articles:detail", kwargs={"slug": published_article.slug})
    assert prefixed == "/news" + plain
    assert published_article.get_absolute_url() == plain
