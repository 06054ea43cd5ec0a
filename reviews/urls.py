from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    # Beside the story's own address, but a page of its own: the story page is shared by every
    # reader, this one is never cached.
    path("articles/<slug:slug>/review/", views.review_form, name="form"),
]
