from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("<int:article_pk>/submit/", views.submit, name="submit"),
]
