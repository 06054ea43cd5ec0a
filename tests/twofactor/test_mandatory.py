"""Where a second factor is required (NEWSROOM_2FA_REQUIRED), who needs one and what it guards.

Superusers and staff who may publish stories or manage staff accounts need one: without it
every admin page, reading or changing, sends them to set it up, and nothing they post changes
anything. Authors and moderators may set one up, and are not made to.
"""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from articles.models import Article
from tests.helpers import change_url, form_data, logged_in
from tests.test_settings import production_settings
from tests.twofactor.helpers import admin_opens, app_code, give_code, log_in, setup_url
from twofactor.policy import two_factor_required


@pytest.fixture(autouse=True)
def required(settings):
    settings.NEWSROOM_2FA_REQUIRED = True


@pytest.fixture
def staff_manager(db, django_user_model):
    user = django_user_model.objects.create_user("hr", password="changeme", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_user"))
    return user


def test_the_rule_names_who_must_use_a_second_factor(
    editor, author_user, moderator, superuser, staff_manager, settings
):
    assert two_factor_required(editor)
    assert two_factor_required(superuser)
    assert two_factor_required(staff_manager)
    assert not two_factor_required(author_user)
    assert not two_factor_required(moderator)

    settings.NEWSROOM_2FA_REQUIRED = False
    assert not any(
        two_factor_required(user) for user in (editor, superuser, staff_manager, author_user)
    )


def view_on_site_url(article: Article) -> str:
    content_type = ContentType.objects.get_for_model(Article)
    return reverse("admin-view-on-site", args=[content_type.pk, article.pk])


@pytest.mark.parametrize(
    "page",
    [
        lambda article: reverse("admin:index"),
        lambda article: reverse("admin:articles_article_changelist"),
        lambda article: reverse("admin:articles_article_add"),
        lambda article: change_url(article),
        lambda article: reverse("admin:articles_article_history", args=[article.pk]),
        lambda article: reverse("admin:articles_article_delete", args=[article.pk]),
        lambda article: reverse("admin:auth_user_changelist"),
        lambda article: reverse("admin:password_change"),
        view_on_site_url,
    ],
    ids=[
        "index",
        "changelist",
        "add",
        "change",
        "history",
        "delete",
        "users",
        "password",
        "view-on-site",
    ],
)
def test_an_editor_without_a_second_factor_is_sent_to_set_it_up(editor, draft_article, page):
    url = page(draft_article)

    response = logged_in(editor).get(url)

    assert response.status_code == 302
    assert response["Location"] == setup_url(url)


def test_a_superuser_without_one_cannot_add_a_user(superuser, django_user_model):
    response = logged_in(superuser).post(
        reverse("admin:auth_user_add"),
        {
            "username": "intruder",
            "password1": "a-long-Pass-phrase",
            "password2": "a-long-Pass-phrase",
        },
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("twofactor:overview"))
    assert not django_user_model.objects.filter(username="intruder").exists()


def test_a_change_posted_without_one_changes_nothing(editor, draft_article):
    response = logged_in(editor).post(
        change_url(draft_article), form_data(draft_article, title="Changed", status="published")
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("twofactor:overview"))
    draft_article.refresh_from_db()
    assert (draft_article.title, draft_article.status) == ("An unfinished draft", "draft")


def test_a_bulk_action_posted_without_one_changes_nothing(editor, draft_article):
    response = logged_in(editor).post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_selected", "_selected_action": [draft_article.pk], "index": 0},
    )

    assert response.status_code == 302
    draft_article.refresh_from_db()
    assert draft_article.status == Article.Status.DRAFT


def test_a_story_added_without_one_is_not_saved(editor):
    before = Article.objects.count()

    response = logged_in(editor).post(reverse("admin:articles_article_add"), form_data())

    assert response.status_code == 302
    assert Article.objects.count() == before


def test_a_session_without_one_sees_no_draft_preview(editor, draft_article):
    response = logged_in(editor).get(reverse("articles:preview", args=[draft_article.pk]))

    assert response.status_code == 404


def test_the_set_up_page_tells_why_and_leads_back_to_the_page_asked_for(editor):
    client = logged_in(editor)
    changelist = reverse("admin:articles_article_changelist")

    page = client.get(setup_url(changelist))
    assert page.status_code == 200
    assert "Your role requires two-factor authentication" in page.content.decode()

    started = client.post(reverse("twofactor:setup-start"), {"next": changelist})
    assert (
        started["Location"] == f"{reverse('twofactor:setup')}?next=%2Fadmin%2Farticles%2Farticle%2F"
    )
    assert client.get(started["Location"]).status_code == 200
    device = editor.totpdevice_set.get()
    confirmed = client.post(started["Location"], {"code": app_code(device)})
    codes_page = client.get(confirmed["Location"])
    assert f'href="{changelist}"' in codes_page.content.decode()

    assert client.get(changelist).status_code == 200


def test_once_set_up_the_editor_logs_in_with_password_and_code(client, editor, enrol):
    device, _codes = enrol(editor)

    log_in(client, editor)
    assert client.get(reverse("twofactor:overview"))["Location"].startswith(
        reverse("twofactor:verify")
    )
    give_code(client, app_code(device, 1))

    assert admin_opens(client)


def test_an_author_is_not_made_to_set_one_up(author_user):
    assert admin_opens(logged_in(author_user))


def test_logout_stays_open(editor):
    client = logged_in(editor)

    client.post(reverse("admin:logout"))

    assert "_auth_user_id" not in client.session


def test_required_by_default_in_production_only():
    assert production_settings("NEWSROOM_2FA_REQUIRED") == {"NEWSROOM_2FA_REQUIRED": True}
    assert production_settings("NEWSROOM_2FA_REQUIRED", DJANGO_DEBUG="1") == {
        "NEWSROOM_2FA_REQUIRED": False
    }
    assert production_settings("NEWSROOM_2FA_REQUIRED", NEWSROOM_2FA_REQUIRED="0") == {
        "NEWSROOM_2FA_REQUIRED": False
    }
