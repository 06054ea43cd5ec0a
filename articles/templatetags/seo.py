"""Template tags for sharing metadata, feed links and JSON-LD (see articles.seo)."""

from datetime import datetime

from django import template

from articles import seo
from articles.feeds import feed_links as site_feed_links

register = template.Library()


@register.filter
def w3c_datetime(value: datetime | None) -> str:
    """Return *value* as a W3C datetime in the site's zone (sitemaps, OpenGraph)."""
    return seo.w3c_datetime(value)


@register.inclusion_tag("includes/_meta_article.html", takes_context=True)
def article_meta(context, article):
    """Render description, canonical, OpenGraph, Twitter card and JSON-LD of a story page.

    *article* should come from ``for_story()`` (rubric and region joined); its byline and
    tags are read once for the whole page.
    """
    request = context["request"]
    url = seo.canonical_url(request)
    region_path = article.region.get_absolute_url()
    data = [
        seo.news_article_data(request, article, url=url),
        seo.breadcrumb_data(request, [(article.region.name, region_path), (article.title, url)]),
    ]
    return {
        "site_name": seo.site_name(),
        "article": article,
        "canonical": url,
        "image": seo.og_image_url(request, article),
        "image_is_og_size": seo.og_image_path(article) is None
        or bool((article.lead_image_renditions or {}).get(seo.OG_RENDITION)),
        "modified": seo.article_modified_at(article),
        "tags": article.tag_list,
        "authors": [request.build_absolute_uri(a.get_absolute_url()) for a in article.byline],
        "json_ld": [seo.json_ld(item) for item in data],
    }


@register.inclusion_tag("includes/_meta_page.html", takes_context=True)
def page_meta(context, title="", description="", taxonomy=None, page_obj=None, home=False):
    """Render description, canonical, OpenGraph and JSON-LD of a home, list or other page.

    A list page passes its *taxonomy* (for the breadcrumb) and *page_obj* (the canonical URL
    keeps ``?page=N`` past page 1); the home page passes ``home=True`` for the ``WebSite``.
    """
    request = context["request"]
    url = seo.canonical_url(request, page_obj.number if page_obj else None)
    data = []
    if home:
        data.append(seo.website_data(request))
    if taxonomy is not None:
        data.append(seo.breadcrumb_data(request, [(taxonomy.name, seo.public_path(taxonomy))]))
        title = title or taxonomy.name
        description = description or seo.taxonomy_description(taxonomy)
    return {
        "site_name": seo.site_name(),
        "title": title or seo.site_name(),
        "description": description or seo.site_description(),
        "canonical": url,
        "image": seo.og_image_url(request),
        "json_ld": [seo.json_ld(item) for item in data],
    }


@register.inclusion_tag("includes/_meta_feeds.html")
def feed_links(obj=None):
    """Render ``<link rel="alternate">`` for the site's feeds and, on a list page, its own."""
    return {"feeds": site_feed_links(obj)}
