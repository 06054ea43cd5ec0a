from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from newsroom.healthz import healthz

urlpatterns = [
    # First, so that the load balancer's frequent check resolves in one step.
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("reviews/", include("reviews.urls")),
    path("", include("articles.urls")),
]

# Branded error pages; 404 and 403 use Django's handlers with our templates of those names.
handler400 = "articles.views.bad_request"
handler500 = "articles.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
