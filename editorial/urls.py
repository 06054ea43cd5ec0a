from django.urls import path

from editorial import views

app_name = "editorial"

urlpatterns = [
    path("share/<str:token>/", views.SharedPreviewView.as_view(), name="share"),
]
