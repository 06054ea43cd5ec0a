import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.generic import TemplateView

from api.views import api
from articles.feeds import LatestArticlesAtomFeed, LatestArticlesFeed
from articles.sitemaps import SECTION_TEMPLATES, sitemap_index
from articles.sitemaps import SITEMAPS as STORY_SITEMAPS
from articles.views import SearchView
from pages.sitemaps import PageSitemap
from serving.admin_shortcut import view_on_site
from serving.favicon import favicon
from serving.healthz import healthz
from serving.media import serve_media

SITEMAPS = {**STORY_SITEMAPS, "pages": PageSitemap}

urlpatterns = [
    # First, so that the load balancer's frequent check resolves in one step.
    path("healthz", healthz, name="healthz"),
    # Before the admin's own: its "View on site" asks the model's admin who may see what.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="admin-view-on-site",
    ),
    # Two-factor authentication: set-up, backup codes and the login's code page (twofactor).
    path("admin/two-factor/", include("twofactor.urls")),
    # The login's "Forgotten your password?" and the invitation's set-password page (accounts).
    path("admin/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    # The content API, its OpenAPI schema and its docs page (api.views).
    path("api/v1/", api.urls),
    # The read beacon (/reads/<story id>/), POSTed from story pages (readership): the story's
    # id says all, in whatever language the page is.
    path("", include("readership.urls")),
    path("sitemap.xml", sitemap_index, {"sitemaps": SITEMAPS}, name="sitemap"),
    # Sections with their own template (the news: namespace) before the generic route.
    *(
        path(
            f"sitemap-{section}.xml",
            sitemap_views.sitemap,
            {"sitemaps": SITEMAPS, "section": section, "template_name": template},
            name=f"sitemap-{section}",
        )
        for section, template in SECTION_TEMPLATES.items()
    ),
    path(
        "sitemap-<slug:section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS, "template_name": "sitemaps/sitemap.xml"},
        name="sitemap-section",
    ),
    # Asked for by browsers (the admin's pages too) and feed readers without a link to it.
    path("favicon.ico", favicon, name="favicon"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
        name="robots",
    ),
    # Share-preview links (/share/<token>/): the shared story's own language shows.
    path("", include("editorial.urls")),
]

# Reader pages, in every language: the default's without a prefix, the others' under theirs
# (serving.languages says why).
urlpatterns += i18n_patterns(
    # The review form's page (/articles/<slug>/review/) and the follow-up emails' links.
    path("", include("reviews.urls")),
    # About, Contact, Privacy and other simple pages (/pages/<slug>/).
    path("", include("pages.urls")),
    # The newsletter's sign-up and the links in its emails (/newsletter/…).
    path("", include("newsletters.urls")),
    # "Your data": a reader sees, downloads or erases what we hold (/your-data/…).
    path("", include("datarights.urls")),
    path("search/", SearchView.as_view(), name="search"),
    path("feed/", LatestArticlesFeed(), name="articles-feed"),
    path("feed/atom/", LatestArticlesAtomFeed(), name="articles-feed-atom"),
    path("", include("articles.urls")),
    prefix_default_language=False,
)

# Branded error pages; 404 and 403 use Django's handlers with our templates of those names.
handler400 = "articles.views.bad_request"
handler500 = "articles.views.server_error"

if settings.NEWSROOM_SERVE_MEDIA:
    # Uploads from MEDIA_ROOT, also with DEBUG off so that `make serve` shows images. A web
    # server, object storage or CDN in front can take this over (DJANGO_SERVE_MEDIA=0).
    urlpatterns += [
        re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", serve_media),
    ]
