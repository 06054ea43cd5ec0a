"""Template tags for sharing metadata, feed links and JSON-LD (see articles.seo)."""

from datetime import datetime

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from articles import seo, translations
from articles.feeds import feed_links as site_feed_links
from serving.languages import hreflang_links
from serving.origin import absolute_url

register = template.Library()


@register.simple_tag
def absolute(path: str) -> str:
    """Return *path* as an absolute URL on the site's origin (robots.txt, emails)."""
    return absolute_url(path)


@register.filter
def w3c_datetime(value: datetime | None) -> str:
    """Return *value* as a W3C datetime in the site's zone (sitemaps, OpenGraph)."""
    return seo.w3c_datetime(value)


@register.inclusion_tag("includes/_meta_article.html")
def article_meta(article, versions=None):
    """Render description, canonical, OpenGraph, Twitter card and JSON-LD of a story page.

    *article* should come from ``for_story()`` (rubric and region joined); its byline and
    tags are read once for the whole page. *versions*: the story and its published
    translations (``translations.story_versions``, which the view reads once for the page).
    """
    if versions is None:
        versions = translations.story_versions(article)
    url = seo.canonical_url(article.get_absolute_url())
    region_path = article.region.get_absolute_url()
    data = [
        seo.news_article_data(article, url=url, versions=versions),
        seo.breadcrumb_data([(article.region.name, region_path), (article.title, url)]),
    ]
    return {
        "site_name": seo.site_name(),
        "article": article,
        "canonical": url,
        "image": seo.og_image_url(article),
        "locale": seo.og_locale(article.language),
        "alternate_locales": [
            seo.og_locale(version.language)
            for version in versions
            if version.language != article.language
        ],
        "image_is_og_size": seo.og_image_is_card_size(article),
        "modified": seo.article_modified_at(article),
        "tags": article.tag_list,
        "authors": [absolute_url(author.get_absolute_url()) for author in article.byline],
        "json_ld": [seo.json_ld(item) for item in data],
        # Search engines drop the page from results by themselves when the story comes down.
        "unavailable_after": (
            seo.w3c_datetime(article.unpublish_at) if article.unpublish_at is not None else ""
        ),
    }


@register.inclusion_tag("articles/includes/_share.html")
def share_links(article):
    """Render plain links that share *article* (no third-party script: ``seo.share_links``)."""
    return {"links": seo.share_links(article)}


@register.inclusion_tag("includes/_meta_page.html", takes_context=True)
def page_meta(context, title="", description="", taxonomy=None, page_obj=None, home=False):
    """Render description, canonical, OpenGraph and JSON-LD of a home, list or other page.

    A list page passes its *taxonomy* (for the breadcrumb) and *page_obj* (the canonical URL
    keeps ``?page=N`` past page 1); the home page passes ``home=True`` for the ``WebSite``.
    """
    if taxonomy is not None:
        path = seo.page_path(taxonomy)
    elif home:
        path = reverse("articles:home")
    else:
        path = context["request"].path
    url = seo.canonical_url(path, page_obj.number if page_obj else None)
    data = []
    if home:
        data.append(seo.website_data())
    if taxonomy is not None:
        data.append(seo.breadcrumb_data([(taxonomy.name, seo.page_path(taxonomy))]))
        title = title or taxonomy.name
        description = description or seo.taxonomy_description(taxonomy)
    language = translation.get_language()
    return {
        "site_name": seo.site_name(),
        "locale": seo.og_locale(language),
        "alternate_locales": [
            seo.og_locale(code) for code in context.get("alternates") or {} if code != language
        ],
        "title": title or seo.site_name(),
        "description": description or seo.site_description(),
        "canonical": url,
        "image": seo.og_image_url(),
        "json_ld": [seo.json_ld(item) for item in data],
    }


@register.inclusion_tag("articles/includes/_list_feed.html")
def list_feed_link(taxonomy):
    """Render a visible link to the RSS feed of a list page's region, rubric, tag or author."""
    return {"feed": site_feed_links(taxonomy)[0], "taxonomy": taxonomy}


@register.inclusion_tag("includes/_meta_feeds.html")
def feed_links(obj=None):
    """Render ``<link rel="alternate">`` for the site's feeds and, on a list page, its own."""
    return {"feeds": site_feed_links(obj)}


@register.inclusion_tag("includes/_languages.html", takes_context=True)
def language_links(context):
    """Render the page's ``<link rel="alternate" hreflang>`` to its versions in other languages.

    From the view's ``alternates`` (articles.translations), which lists only pages that exist;
    the page itself is among them and the default language's version is the ``x-default``.
    A page in one language only, or kept out of search engines, has none.
    """
    if context.get("noindex"):
        return {"links": []}
    return {"links": hreflang_links(context.get("alternates") or {})}


@register.inclusion_tag("includes/_language_switcher.html", takes_context=True)
def language_switcher(context):
    """Render links to this page in each other language, else to that language's home."""
    if len(settings.LANGUAGES) < 2:
        return {"choices": []}
    alternates = context.get("alternates") or {}
    current = translation.get_language()
    choices = []
    for code, name in settings.LANGUAGES:
        if code == current:
            continue
        url = alternates.get(code)
        if url is None:
            with translation.override(code):
                url = reverse("articles:home")
        choices.append({"code": code, "name": name, "url": url, "same_page": code in alternates})
    return {
        "choices": choices,
        "suggestions": [choice for choice in choices if choice["same_page"]],
    }
