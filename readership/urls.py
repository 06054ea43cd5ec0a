from django.urls import path

from readership import views

app_name = "readership"

urlpatterns = [
    path("reads/<int:story_id>/", views.read, name="read"),
]
