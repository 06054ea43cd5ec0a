from django.urls import path

from editorial import views

app_name = "editorial"

urlpatterns = [
    path("share/<str:token>/", views.SharedPreviewView.as_view(), name="share"),
    # Under /reviews/, which the page cache never stores.
    path(
        "reviews/follow-up/confirm/<str:token>/",
        views.follow_up_confirm,
        name="follow-up-confirm",
    ),
    path(
        "reviews/follow-up/unsubscribe/<str:token>/",
        views.follow_up_unsubscribe,
        name="follow-up-unsubscribe",
    ),
]
