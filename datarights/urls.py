from django.urls import path

from datarights import views

app_name = "datarights"

# Under /your-data/, which the page cache never looks up (PAGE_CACHE_EXCLUDED_PREFIXES).
urlpatterns = [
    path("your-data/", views.request_form, name="request"),
    path("your-data/sent/", views.sent, name="sent"),
    # The emailed link: what we hold, the download, and erasing it.
    path("your-data/<str:token>/", views.data, name="data"),
    path("your-data/<str:token>/download/", views.download, name="download"),
    path("your-data/<str:token>/erase/", views.erase, name="erase"),
]
