"""Nothing unpublished reaches the public: not through a redirect, an admin shortcut, or a name.

Each test is an attack that worked once: the old address of a story renamed and unpublished
in one save redirected to its new, never-public slug; "View on site" told any staff user any
story's address; a tag used only by drafts had a public page and feed.
"""

from datetime import timedelta

import feedparser
import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Redirect
from reviews.models import Review
from tests.helpers import logged_in


def view_on_site_url(obj) -> str:
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("admin-view-on-site", args=[content_type.pk, obj.pk])


@pytest.mark.django_db
class TestRedirectsLeadOnlyToPublicPages:
    def test_renamed_and_unpublished_in_one_save_answers_gone_not_the_new_slug(
        self, client, published_article
    ):
        published_article.slug = "zzsecret-merger-talks"
        published_article.status = Article.Status.DRAFT
        published_article.save()
        response = client.get("/articles/the-almaty-talks/")
        assert response.status_code == 410
        assert b"zzsecret" not in response.content
        assert "Location" not in response

    def test_renamed_then_unpublished_answers_gone_and_redirects_again_once_republished(
        self, client, published_article
    ):
        published_article.slug = "zzsecret-merger-talks"
        published_article.save()
        assert client.get("/articles/the-almaty-talks/").status_code == 301
        published_article.status = Article.Status.DRAFT
        published_article.save()
        assert client.get("/articles/the-almaty-talks/").status_code == 410

        published_article.status = Article.Status.PUBLISHED
        published_article.save()
        response = client.get("/articles/the-almaty-talks/")
        assert response.status_code == 301
        assert response["Location"] == "/articles/zzsecret-merger-talks/"

    def test_rescheduled_into_the_future_answers_gone(self, client, published_article):
        published_article.slug = "embargoed-until-monday"
        published_article.publish_at = timezone.now() + timedelta(days=2)
        published_article.save()
        assert client.get("/articles/the-almaty-talks/").status_code == 410

    def test_a_redirect_to_a_deleted_story_answers_not_found(self, client, published_article):
        published_article.slug = "short-lived"
        published_article.save()
        published_article.delete()
        assert client.get("/articles/the-almaty-talks/").status_code == 404

    def test_an_editors_redirect_to_a_draft_answers_gone(self, client, draft_article):
        Redirect.objects.create(old_path="/promo/", new_path=draft_article.get_absolute_url())
        response = client.get("/promo/")
        assert response.status_code == 410
        assert draft_article.slug.encode() not in response.content

    def test_a_redirect_to_a_tag_only_drafts_carry_answers_not_found(self, client, make_article):
        make_article(status=Article.Status.DRAFT, tags=["zzsecret-acquisition"])
        Redirect.objects.create(old_path="/hot/", new_path="/tags/zzsecret-acquisition/")
        assert client.get("/hot/").status_code == 404


@pytest.mark.django_db
class TestViewOnSiteAsksWhoMaySee:
    def test_a_moderator_learns_no_draft_slug(self, moderator, draft_article):
        response = logged_in(moderator).get(view_on_site_url(draft_article))
        assert response.status_code == 404
        assert "Location" not in response

    def test_an_author_learns_no_other_authors_draft_slug(self, author_user, draft_article):
        response = logged_in(author_user).get(view_on_site_url(draft_article))
        assert response.status_code == 404

    def test_walking_ids_tells_nothing(self, moderator, draft_article, published_article):
        client = logged_in(moderator)
        content_type = ContentType.objects.get_for_model(Article)
        missing = reverse("admin-view-on-site", args=[content_type.pk, 999_999])
        hidden = view_on_site_url(draft_article)
        assert client.get(missing).status_code == client.get(hidden).status_code == 404

    def test_an_editor_is_sent_to_the_drafts_preview(self, editor, draft_article):
        client = logged_in(editor)
        response = client.get(view_on_site_url(draft_article))
        assert response.status_code == 302
        assert client.get(response["Location"]).status_code == 200

    def test_a_moderator_is_sent_to_a_review_of_a_public_story_only(
        self, moderator, published_article, draft_article
    ):
        client = logged_in(moderator)
        public = Review.objects.create(
            article=published_article, name="A", email="a@example.org", body="Fine."
        )
        hidden = Review.objects.create(
            article=draft_article, name="B", email="b@example.org", body="Fine."
        )
        assert client.get(view_on_site_url(public)).status_code == 302
        response = client.get(view_on_site_url(hidden))
        assert response.status_code == 404
        assert "unfinished-draft" not in response.get("Location", "")

    def test_a_moderators_review_page_offers_no_link_to_a_draft(self, moderator, draft_article):
        review = Review.objects.create(
            article=draft_article, name="B", email="b@example.org", body="Fine."
        )
        page = logged_in(moderator).get(reverse("admin:reviews_review_change", args=[review.pk]))
        assert page.status_code == 200
        assert b"unfinished-draft" not in page.content

    def test_history_of_a_story_one_may_not_see_is_not_found_as_its_change_page(
        self, author_user, draft_article
    ):
        client = logged_in(author_user)
        change = client.get(reverse("admin:articles_article_change", args=[draft_article.pk]))
        history = client.get(reverse("admin:articles_article_history", args=[draft_article.pk]))
        assert change.status_code in (302, 404)
        assert history.status_code == 404
        missing = client.get(reverse("admin:articles_article_history", args=[999_999]))
        assert missing.status_code == 404


@pytest.mark.django_db
class TestTagsAndAuthorsOfUnpublishedWork:
    @pytest.fixture
    def secret(self, make_article):
        writer = Author.objects.create(name="Zed Secretwriter", slug="zed-secretwriter")
        make_article(status=Article.Status.DRAFT, tags=["zzsecret-acquisition"], authors=[writer])
        make_article(publish_at=timezone.now() + timedelta(days=1), tags=["embargoed-summit"])
        return writer

    @pytest.mark.parametrize(
        "url",
        [
            "/tags/zzsecret-acquisition/",
            "/tags/zzsecret-acquisition/feed/",
            "/tags/zzsecret-acquisition/feed/atom/",
            "/tags/embargoed-summit/",
            "/authors/zed-secretwriter/",
            "/authors/zed-secretwriter/feed/",
            "/authors/zed-secretwriter/feed/atom/",
        ],
    )
    def test_pages_and_feeds_answer_not_found(self, client, secret, url):
        response = client.get(url)
        assert response.status_code == 404
        assert b"zzsecret" not in response.content.lower()
        assert b"Secretwriter" not in response.content

    def test_they_appear_once_a_public_story_uses_them(self, client, secret, make_article):
        make_article(tags=["zzsecret-acquisition"], authors=[secret])
        assert client.get("/tags/zzsecret-acquisition/").status_code == 200
        assert client.get("/authors/zed-secretwriter/").status_code == 200
        feed = feedparser.parse(client.get("/tags/zzsecret-acquisition/feed/").content)
        assert len(feed.entries) == 1

    def test_an_author_sees_in_the_admin_only_tags_they_may_use(
        self, author_user, secret, make_article
    ):
        own = make_article(status=Article.Status.DRAFT, tags=["own-draft-tag"])
        own.authors.add(author_user.author_profile)
        make_article(tags=["public-tag"])
        page = logged_in(author_user).get(reverse("admin:taggit_tag_changelist"))
        names = {tag.name for tag in page.context["cl"].result_list}
        assert names == {"own-draft-tag", "public-tag"}

    def test_an_editor_sees_every_tag(self, editor, secret):
        page = logged_in(editor).get(reverse("admin:taggit_tag_changelist"))
        names = {tag.name for tag in page.context["cl"].result_list}
        assert {"zzsecret-acquisition", "embargoed-summit"} <= names

    def test_a_tag_on_a_draft_alone_has_no_sitemap_entry(self, client, secret):
        assert Tag.objects.filter(slug="zzsecret-acquisition").exists()
        assert b"zzsecret" not in client.get("/sitemap-tags.xml").content
