from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    # Beside the story's own address, but a page of its own: the story page is shared by every
    # reader, this one is never cached.
    path("articles/<slug:slug>/review/", views.review_form, name="form"),
    # The same form, answering one of the story's published reviews.
    path("articles/<slug:slug>/review/<int:pk>/reply/", views.review_form, name="reply"),
    # All the published replies to a review, paged: a shared page, under the story's address
    # so that the page cache refreshes it whenever it refreshes the story's page.
    path("articles/<slug:slug>/review/<int:pk>/replies/", views.replies, name="replies"),
    # "Report" under every published review and reply; never cached either.
    path("reviews/<int:pk>/report/", views.report, name="report"),
    # The author's signed edit link (reviews.editing).
    path("reviews/<int:pk>/edit/<str:token>/", views.edit, name="edit"),
    # The links in the "email me when my review is published" emails.
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
