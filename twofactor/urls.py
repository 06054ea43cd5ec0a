"""The second factor's pages, under the admin: /admin/two-factor/…, for logged-in staff."""

from django.contrib import admin
from django.urls import path

from twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("", admin.site.admin_view(views.overview), name="overview"),
    path("set-up/", admin.site.admin_view(views.setup_start), name="setup-start"),
    path("set-up/confirm/", admin.site.admin_view(views.setup), name="setup"),
    path("backup-codes/", admin.site.admin_view(views.backup_codes), name="backup-codes"),
    path("turn-off/", admin.site.admin_view(views.disable), name="disable"),
    path("verify/", admin.site.admin_view(views.verify), name="verify"),
]
