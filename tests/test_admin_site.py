"""The admin under the newsroom's name and icon, with times written one way everywhere."""

import re
from datetime import UTC, datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from editorial.services import preview_link_create
from newsroom.admin import NewsroomAdminSite
from reviews.models import Review
from serving.dates import admin_datetime
from tests.helpers import logged_in

INDEX_URL = reverse("admin:index")


@pytest.fixture(autouse=True)
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def test_every_app_registers_with_the_newsrooms_site():
    assert isinstance(admin.site, NewsroomAdminSite)


def test_login_page_carries_the_newsrooms_name_not_djangos(client):
    page = client.get(reverse("admin:login")).content.decode()

    assert "<title>Log in | Newsroom admin</title>" in page
    assert re.search(r'<div id="site-name"><a href="/admin/">.*Newsroom admin</a></div>', page)
    assert "Django" not in page


def test_the_name_follows_the_setting(client, settings):
    settings.NEWSROOM_SITE_NAME = "Caucasus Times"

    page = client.get(reverse("admin:login")).content.decode()

    assert "Caucasus Times admin" in page


def test_dashboard_calls_the_tag_app_tags(superuser):
    page = logged_in(superuser).get(INDEX_URL).content.decode()

    assert "<title>Dashboard | Newsroom admin</title>" in page
    assert ">Tags</a>" in page
    assert "Taggit" not in page
    assert "TAGGIT" not in page
    assert "Django administration" not in page


def test_every_admin_page_links_the_icon_and_favicon_ico_leads_to_it(client, editor):
    page = logged_in(editor).get(INDEX_URL).content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)

    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == icon
    assert client.get(icon).status_code == 200


def test_review_queue_writes_times_in_the_admins_format(client, moderator, published_article):
    review = Review.objects.create(
        article=published_article, name="Giorgi", email="giorgi@example.org", body="Clear."
    )
    Review.objects.filter(pk=review.pk).update(created_at=datetime(2025, 1, 9, 8, 52, tzinfo=UTC))

    page = logged_in(moderator).get(reverse("admin:reviews_review_changelist")).content.decode()

    assert "9 Jan 2025, 09:52" in page


def test_audit_log_writes_a_preview_links_expiry_in_the_admins_format(
    editor, superuser, draft_article
):
    link, _token = preview_link_create(article=draft_article, by=editor, hours=48)

    page = logged_in(superuser).get(reverse("admin:audit_auditentry_changelist"))
    page = page.content.decode()

    assert f"expires {admin_datetime(link.expires_at)}" in page
    assert link.expires_at.isoformat()[:16].replace("T", " ") not in page


@pytest.mark.parametrize("junk", ["abc", "\x00", "", "99999999999999999999999"])
@pytest.mark.parametrize(
    "changelist",
    [
        "/admin/articles/article/",
        "/admin/api/apikey/",
        "/admin/webhooks/endpoint/",
        "/admin/reviews/review/",
    ],
)
def test_a_bulk_action_on_junk_ids_is_refused_not_a_server_error(
    client, superuser, changelist, junk
):
    client.force_login(superuser)
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [junk]}, follow=True
    )
    assert response.status_code == 200
    assert "Nothing was changed" in response.content.decode()
