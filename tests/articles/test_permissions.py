"""Roles in the story admin, through the real admin URLs.

The newsroom's rule, as built: authors write and edit their own stories and send them to
review; only editors publish; once a story is published (or scheduled) only editors change
it: its author can still open it, read-only. Another author's story answers 404.
"""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author
from tests.helpers import change_url, form_data, staff

ADD_URL = reverse("admin:articles_article_add")
CHANGELIST_URL = reverse("admin:articles_article_changelist")


@pytest.fixture
def other_author(django_user_model):
    user = staff(django_user_model, "olga", "Authors")
    Author.objects.create(name="Olga Petrova", slug="olga-petrova", user=user)
    return user


def own_story(make_article, user, **fields) -> Article:
    return make_article(authors=[user.author_profile], created_by=user, **fields)


def test_groups_carry_the_newsroom_roles(db):
    def perms(name):
        group = Group.objects.get(name=name)
        return {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }

    authors, editors, moderators = perms("Authors"), perms("Editors"), perms("Moderators")
    assert {"articles.add_article", "articles.change_article"} <= authors
    assert not authors & {
        "articles.publish_article",
        "articles.edit_any_article",
        "articles.delete_article",
    }
    assert {
        "articles.publish_article",
        "articles.edit_any_article",
        "articles.delete_article",
        "articles.change_region",
        "articles.change_rubric",
        "articles.change_author",
        "taggit.change_tag",
        "auth.view_user",
    } <= editors
    assert not {perm for perm in moderators if perm.startswith("articles.")}
    # The permissions themselves exist on a fresh database (created by the migration).
    assert Permission.objects.filter(codename="publish_article").exists()


def test_author_adds_a_story_credited_to_them(client, author_user, region, rubric):
    client.force_login(author_user)

    response = client.post(ADD_URL, form_data(rubric=rubric.pk, region=region.pk))

    assert response.status_code == 302, response.context["adminform"].form.errors
    story = Article.objects.get(slug="gas-deal-south-caucasus")
    assert story.status == Article.Status.DRAFT
    assert story.created_by == author_user
    assert list(story.authors.all()) == [author_user.author_profile]


def test_author_edits_their_own_draft(client, author_user, make_article):
    story = own_story(make_article, author_user, status=Article.Status.DRAFT)
    client.force_login(author_user)

    response = client.post(change_url(story), form_data(story, title="A better headline"))

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == "A better headline"


def test_author_sees_only_their_own_stories_in_the_list(
    client, author_user, other_author, make_article
):
    own_story(make_article, author_user, title="Mine", status=Article.Status.DRAFT)
    own_story(make_article, other_author, title="Olga's scoop", status=Article.Status.DRAFT)
    client.force_login(author_user)

    response = client.get(CHANGELIST_URL)

    assert response.status_code == 200
    titles = [story.title for story in response.context["cl"].result_list]
    assert titles == ["Mine"]


def test_author_cannot_open_or_change_another_authors_story(
    client, author_user, other_author, make_article
):
    story = own_story(make_article, other_author, title="Olga's scoop", status="draft")
    client.force_login(author_user)

    assert client.get(change_url(story)).status_code == 404
    assert client.post(change_url(story), form_data(story, title="Hijacked")).status_code == 404
    history_url = reverse("admin:articles_article_history", args=[story.pk])
    # Not found, as the change page: a 403 would confirm that the id exists.
    assert client.get(history_url).status_code == 404
    story.refresh_from_db()
    assert story.title == "Olga's scoop"


def test_author_cannot_publish_a_new_story(client, author_user, region, rubric):
    client.force_login(author_user)
    data = form_data(
        rubric=rubric.pk,
        region=region.pk,
        status=Article.Status.PUBLISHED,
        title="Breaking: my first scoop",
        body="<p>Typed with care, <strong>not to be lost</strong>.</p>",
    )

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "You cannot publish stories" in str(form.errors["status"])
    assert list(form.errors) == ["status"]
    assert not Article.objects.exists()
    # Nothing typed is lost: the form comes back with the author's text.
    content = response.content.decode()
    assert "Breaking: my first scoop" in content
    assert "not to be lost" in content
    assert "You cannot publish stories" in content


def test_author_cannot_publish_their_draft_even_with_a_past_time(client, author_user, make_article):
    story = own_story(make_article, author_user, status=Article.Status.DRAFT)
    yesterday = timezone.localtime(timezone.now() - timedelta(days=1))
    data = form_data(
        story,
        status=Article.Status.PUBLISHED,
        publish_at_0=yesterday.strftime("%Y-%m-%d"),
        publish_at_1=yesterday.strftime("%H:%M:%S"),
    )
    client.force_login(author_user)

    response = client.post(change_url(story), data)

    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT
    assert not Article.objects.published().exists()


def test_author_is_not_offered_the_published_status(client, author_user):
    client.force_login(author_user)

    response = client.get(ADD_URL)

    status_field = response.context["adminform"].form["status"]
    offered = {value for value, _label in status_field.field.widget.choices}
    assert offered == {Article.Status.DRAFT, Article.Status.REVIEW}


def test_author_can_read_but_not_change_their_published_story(client, author_user, make_article):
    story = own_story(make_article, author_user, title="Out in the world")
    client.force_login(author_user)

    response = client.get(change_url(story))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]

    response = client.post(change_url(story), form_data(story, title="Quiet edit"))
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.title == "Out in the world"


def test_author_cannot_revert_their_published_story_through_history(
    client, author_user, make_article
):
    story = own_story(make_article, author_user, status=Article.Status.DRAFT, title="Draft")
    old_version = story.history.earliest()
    story.title = "Published title"
    story.status = Article.Status.PUBLISHED
    story.save()
    client.force_login(author_user)
    revert_url = reverse(
        "admin:articles_article_simple_history", args=[story.pk, old_version.history_id]
    )

    response = client.post(revert_url, form_data(old_version.instance))

    assert response.status_code == 403
    story.refresh_from_db()
    assert story.title == "Published title"
    assert story.status == Article.Status.PUBLISHED


def test_editor_publishes_through_the_form(client, editor, make_article):
    story = make_article(status=Article.Status.REVIEW)
    client.force_login(editor)

    response = client.post(change_url(story), form_data(story, status=Article.Status.PUBLISHED))

    assert response.status_code == 302
    assert Article.objects.published().filter(pk=story.pk).exists()


def test_editor_changes_any_authors_story(client, editor, author_user, make_article):
    story = own_story(make_article, author_user, title="Arthur's piece")
    client.force_login(editor)

    response = client.post(change_url(story), form_data(story, title="Edited by the desk"))

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == "Edited by the desk"


def test_moderator_cannot_open_the_story_admin(client, moderator, published_article):
    client.force_login(moderator)

    assert client.get(CHANGELIST_URL).status_code == 403
    assert client.get(ADD_URL).status_code == 403
    assert client.get(change_url(published_article)).status_code in {403, 404}
    index = client.get(reverse("admin:index"))
    assert reverse("admin:articles_article_changelist") not in index.content.decode()


# -- Tags: taggit's "Merge selected tags" retags every story, so it takes the change right --

TAG_CHANGELIST_URL = reverse("admin:taggit_tag_changelist")
MERGE_TAGS_URL = reverse("admin:taggit_tag_merge_tags")


def merge_tags(client, tags, new_name: str):
    """Run "Merge selected tags" on *tags* as the admin's action and merge form post it."""
    client.post(
        TAG_CHANGELIST_URL,
        {"action": "render_tag_form", ACTION_CHECKBOX_NAME: [tag.pk for tag in tags]},
    )
    return client.post(MERGE_TAGS_URL, {"new_tag_name": new_name})


def test_author_cannot_merge_tags_on_published_stories(client, author_user, make_article):
    story = make_article(tags=["energy", "gas"])
    client.force_login(author_user)

    action_form = client.get(TAG_CHANGELIST_URL).context["action_form"]
    response = merge_tags(client, Tag.objects.all(), "merged")

    # With no action left to offer, the list shows no action menu at all.
    assert action_form is None
    assert response.status_code == 403
    assert sorted(story.tags.names()) == ["energy", "gas"]
    assert not Tag.objects.filter(name="merged").exists()


def test_moderator_cannot_open_the_merge_tags_page(client, moderator):
    client.force_login(moderator)

    assert client.get(MERGE_TAGS_URL).status_code == 403
    assert client.post(MERGE_TAGS_URL, {"new_tag_name": "made-up"}).status_code == 403
    assert not Tag.objects.filter(name="made-up").exists()


def test_editor_merges_tags(client, editor, make_article):
    story = make_article(tags=["energy", "gas"])
    client.force_login(editor)

    response = merge_tags(client, Tag.objects.all(), "energy and gas")

    assert response.status_code == 302
    assert list(story.tags.names()) == ["energy and gas"]


def test_merge_tags_page_without_a_selection_sends_the_editor_back_to_the_list(client, editor):
    client.force_login(editor)

    response = client.post(MERGE_TAGS_URL, {"new_tag_name": "orphan"})

    assert response.status_code == 302
    assert response["Location"] == TAG_CHANGELIST_URL
    assert not Tag.objects.filter(name="orphan").exists()
