"""The admin login's side door, under /admin/ (included before the admin's own URLs).

``admin_password_reset`` is the name Django's admin login looks for: while it resolves, the
login page shows "Forgotten your login credentials?".
"""

from django.contrib import admin
from django.urls import path

from accounts import preferences, views

urlpatterns = [
    path("password_reset/", views.PasswordResetView.as_view(), name="admin_password_reset"),
    path(
        "password_reset/done/",
        views.PasswordResetDoneView.as_view(),
        name="admin_password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="admin_password_reset_confirm",
    ),
    path(
        "reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="admin_password_reset_complete",
    ),
    path("welcome/<uidb64>/<token>/", views.WelcomeView.as_view(), name="admin_welcome"),
    # The logged-in team member's own choices (admin_view: staff only, never cached, CSRF).
    path(
        "preferences/language/",
        admin.site.admin_view(preferences.language_preference),
        name="admin_language_preference",
    ),
]
