"""Sitemaps: stories (with lastmod), regions, rubrics, tags, authors, and Google News.

``/sitemap.xml`` is an index of the sections; each section is paginated at 50,000 URLs
(``Sitemap.limit``), stories at ``ARTICLE_SITEMAP_LIMIT``. Each sitemap page costs two
queries (count, page) and the index one per section (count) plus the stories' latest
publication, whatever the volume. Every ``<loc>`` is
on the site's configured origin (``SITE_URL``), never the request's host.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import x_robots_tag
from django.db.models import Max
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from taggit.models import Tag

from articles.models import Article, Author, Region, Rubric, in_public_use
from articles.seo import article_changed_at
from serving.origin import absolute_url


class OriginSitemap(Sitemap):
    """A sitemap whose URLs are on ``SITE_URL``, whatever host the request named."""

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


NEWS_WINDOW = timedelta(hours=48)
# Google News reads at most this many stories from one news sitemap.
NEWS_LIMIT = 1000


# A page of 50,000 stories (the protocol's limit) took seconds to render, holding a worker
# while a crawler waited after every change; pages of 5,000 each take a tenth of that.
ARTICLE_SITEMAP_LIMIT = 5000


class ArticleSitemap(OriginSitemap):
    limit = ARTICLE_SITEMAP_LIMIT

    def items(self):
        # Oldest first: a new story lands on the last page, and the full pages before it stay
        # the same (and cacheable) instead of all shifting by one.
        return (
            Article.objects.published()
            .only("slug", "publish_at", "revised_at", "updated_at")
            .order_by("publish_at", "pk")
        )

    def lastmod(self, item):
        return article_changed_at(item)

    def get_latest_lastmod(self):
        # The default would load every story to take the max. The newest publication comes
        # from the (status, publish_at) index; edits of older stories show in each URL's own
        # lastmod, which a crawler reads on its next visit.
        return Article.objects.published().aggregate(latest=Max("publish_at"))["latest"]


class NewsSitemap(ArticleSitemap):
    """Stories of the last 48 hours, rendered with ``sitemaps/news.xml`` (news: namespace)."""

    limit = NEWS_LIMIT

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return (
            Article.objects.published()
            .filter(publish_at__gte=since)
            .only("title", "slug", "publish_at", "revised_at", "updated_at")
            .order_by("-publish_at", "-pk")
        )

    def get_latest_lastmod(self):
        return None


class RegionSitemap(OriginSitemap):
    def items(self):
        return Region.objects.order_by("position", "name")


class RubricSitemap(OriginSitemap):
    def items(self):
        return Rubric.objects.order_by("name")


class TagSitemap(OriginSitemap):
    """Tags that label at least one public story: the others have no page."""

    def items(self):
        return in_public_use(Tag.objects.all(), "tags").order_by("name")

    def location(self, item):
        return reverse("articles:tag", kwargs={"slug": item.slug})


class AuthorSitemap(OriginSitemap):
    """Authors with at least one public story."""

    def items(self):
        return in_public_use(Author.objects.all(), "authors").order_by("name")


SITEMAPS = {
    "articles": ArticleSitemap,
    "news": NewsSitemap,
    "regions": RegionSitemap,
    "rubrics": RubricSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}
# Sections whose pages need their own template; the others use sitemaps/sitemap.xml, which
# gives lastmod with the time of day (Django's own template stops at the date).
SECTION_TEMPLATES = {"news": "sitemaps/news.xml"}


@require_safe
@x_robots_tag
def sitemap_index(request, sitemaps=None):
    """List every page of every section, with the section's latest change where it has one.

    *sitemaps*: the sections (``SITEMAPS`` and other apps', by ``newsroom.urls``). Django's
    own index view names the request's host in each ``<loc>``; this one uses the site's
    origin.
    """
    entries = []
    for section, sitemap_class in (sitemaps or SITEMAPS).items():
        sitemap = sitemap_class()
        location = absolute_url(reverse("sitemap-section", kwargs={"section": section}))
        lastmod = sitemap.get_latest_lastmod()
        entries.append({"location": location, "last_mod": lastmod})
        entries += [
            {"location": f"{location}?p={page}", "last_mod": lastmod}
            for page in range(2, sitemap.paginator.num_pages + 1)
        ]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )
