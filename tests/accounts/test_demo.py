"""`make run`'s demo logins include an administrator who manages the team, not a superuser."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from articles.demo.content import DEMO_PASSWORD
from articles.demo.seed import SeedReport, seed_accounts


def test_the_demo_administrator_manages_the_team_but_is_no_superuser(settings, db, client):
    settings.DEBUG = True
    report = SeedReport()

    seed_accounts(report)

    admin = get_user_model().objects.get(username="admin")
    assert "admin" in report.accounts
    assert admin.is_staff and not admin.is_superuser
    assert list(admin.groups.values_list("name", flat=True)) == ["Administrators"]
    assert admin.check_password(DEMO_PASSWORD)
    client.force_login(admin)
    assert client.get(reverse("admin:auth_user_add")).status_code == 200
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 403
