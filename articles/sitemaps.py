"""Sitemaps: home pages, stories (with lastmod), regions, rubrics, tags, authors, and Google
News, in every language.

Each URL whose page exists in other languages lists them all, itself included, as
``<xhtml:link rel="alternate" hreflang>`` plus ``x-default``: the very set the page's own
``<link rel="alternate" hreflang>`` shows (``serving.languages.hreflang_links`` over the
``articles.translations`` alternates), fetched for a whole sitemap page at once. A tag's or
author's page exists in each language a public story of theirs is written in, so those
sections list one URL per such language.

``/sitemap.xml`` is an index of the sections; each section is paginated at 50,000 URLs
(``Sitemap.limit``), stories at ``ARTICLE_SITEMAP_LIMIT``. Each sitemap page costs two
queries (count, page) plus one or two for the alternates of all its URLs, and the index one
per section (count) plus the stories' latest publication, whatever the volume. Every
``<loc>`` is on the site's configured origin (``SITE_URL``), never the request's host.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import x_robots_tag
from django.db.models import CharField, Max, QuerySet, Value
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_safe
from taggit.models import Tag

from articles import translations
from articles.models import Article, Author, Region, Rubric, in_use_by
from articles.seo import article_changed_at
from serving.languages import hreflang_links, language_codes
from serving.origin import absolute_url


class OriginSitemap(Sitemap):
    """A sitemap whose URLs are on ``SITE_URL``, whatever host the request named, each with
    its page's versions in other languages (``alternates`` of each URL, from
    :meth:`page_alternates`)."""

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        alternates = self.page_alternates([url["item"] for url in urls])
        for url, paths in zip(urls, alternates, strict=True):
            url["alternates"] = [
                {"lang_code": code, "location": location}
                for code, location in hreflang_links(paths)
            ]
        return urls

    def page_alternates(self, items) -> list[dict[str, str]]:
        """Return, for each of *items* (one sitemap page), its page's addresses by language."""
        return [{} for _item in items]


def per_language(build) -> QuerySet:
    """Return the rows ``build(code)`` gives for each of the site's languages, as one list
    with each row's ``page_language``: one query however many languages."""
    querysets = [
        build(code).order_by().annotate(page_language=Value(code, output_field=CharField()))
        for code in language_codes()
    ]
    if len(querysets) == 1:
        return querysets[0]
    return querysets[0].union(*querysets[1:], all=True)


class HomeSitemap(OriginSitemap):
    """The home page of every language."""

    def items(self):
        return language_codes()

    def location(self, item):
        with translation.override(item):
            return reverse("articles:home")

    def page_alternates(self, items):
        every = {code: self.location(code) for code in language_codes()}
        return [every for _item in items]


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
            .only("slug", "language", "translation_key", "publish_at", "revised_at", "updated_at")
            .order_by("publish_at", "pk")
        )

    def lastmod(self, item):
        return article_changed_at(item)

    def page_alternates(self, items):
        alternates = translations.stories_alternates(items)
        return [alternates[item.pk] for item in items]

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
            .only(
                "title",
                "slug",
                "language",
                "translation_key",
                "publish_at",
                "revised_at",
                "updated_at",
            )
            .order_by("-publish_at", "-pk")
        )

    def get_latest_lastmod(self):
        return None


class RegionSitemap(OriginSitemap):
    """Every language's regions (each page in its language, ``Region.get_absolute_url``)."""

    def items(self):
        return Region.objects.order_by("language", "position", "name")

    def page_alternates(self, items):
        alternates = translations.taxonomies_alternates(items)
        return [alternates[item.pk] for item in items]


class RubricSitemap(RegionSitemap):
    def items(self):
        return Rubric.objects.order_by("language", "name")


class TagSitemap(OriginSitemap):
    """Tags in each language a public story carrying them is written in: the others have no
    page there."""

    def items(self):
        return per_language(
            lambda code: in_use_by(
                Tag.objects.all(), "tags", Article.objects.published().in_language(code)
            )
        ).order_by("page_language", "name")

    def location(self, item):
        return translations.tag_path(item, item.page_language)

    def page_alternates(self, items):
        return translations.tags_alternates((item, item.page_language) for item in items)


class AuthorSitemap(OriginSitemap):
    """Authors in each language they have a public story in."""

    def items(self):
        return per_language(
            lambda code: in_use_by(
                Author.objects.all(), "authors", Article.objects.published().in_language(code)
            )
        ).order_by("page_language", "name", "id")

    def location(self, item):
        return translations.author_path(item, item.page_language)

    def page_alternates(self, items):
        alternates = translations.authors_alternates(items)
        return [alternates[item.pk] for item in items]


SITEMAPS = {
    "home": HomeSitemap,
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
