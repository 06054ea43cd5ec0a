from django.urls import path

from newsletters import views

app_name = "newsletters"

# Under /newsletter/, which the page cache never looks up (PAGE_CACHE_EXCLUDED_PREFIXES).
urlpatterns = [
    path("newsletter/", views.signup, name="signup"),
    # Where the footer's and the list pages' forms post (no CSRF token on a shared page).
    path("newsletter/subscribe/", views.subscribe, name="subscribe"),
    path("newsletter/sent/", views.sent, name="sent"),
    # The links in the emails.
    path("newsletter/confirm/<str:token>/", views.confirm, name="confirm"),
    path("newsletter/preferences/<str:token>/", views.preferences, name="preferences"),
    path("newsletter/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
