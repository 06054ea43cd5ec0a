"""Sharing metadata: canonical URLs, OpenGraph images and JSON-LD (schema.org) data.

The template tags in ``articles/templatetags/seo.py`` render these; feeds and sitemaps share
:func:`article_modified_at` so that every machine reader sees the same "last changed" time.
Every absolute URL comes from the site's configured origin (``serving.origin``), never from
the request, so a page is the same whoever asked for it under whatever host name.
"""

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.files.storage import default_storage
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from images.pipeline import widths_by_format
from images.rendering import CROPS, crop_size, rendition_url
from serving.origin import absolute_url

# Raster images: sharing sites and search engines do not take SVG.
LOGO_STATIC_PATH = "img/publisher-logo.png"
SHARE_IMAGE_STATIC_PATH = "img/share-default.png"
OG_CROP = "og"
OG_SIZE = (1200, 630)
SHARE_CROPS = ("share-16x9", "share-4x3", "share-1x1")
# Google shows at most this much of a NewsArticle headline.
HEADLINE_MAX_LENGTH = 110
# Characters that could end a <script> element or open a comment inside JSON-LD.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


# OpenGraph's og:locale is language_TERRITORY. Where a language is spoken in several countries,
# the one of the newsroom's readers or the language's usual reference: British English (a
# European newsroom), Russian of Russia, Arabic as Facebook writes it (ar_AR).
OG_LOCALES = {
    "en": "en_GB",
    "ru": "ru_RU",
    "uk": "uk_UA",
    "be": "be_BY",
    "ka": "ka_GE",
    "hy": "hy_AM",
    "az": "az_AZ",
    "kk": "kk_KZ",
    "ky": "ky_KG",
    "uz": "uz_UZ",
    "tg": "tg_TJ",
    "tk": "tk_TM",
    "ar": "ar_AR",
    "fa": "fa_IR",
    "he": "he_IL",
    "tr": "tr_TR",
    "de": "de_DE",
    "fr": "fr_FR",
}


def og_locale(language: str) -> str:
    """Return the OpenGraph locale of a site language: "en" → "en_GB", "ru" → "ru_RU",
    "pt-br" → "pt_BR"; a language we name no country for, its code twice ("lv" → "lv_LV")."""
    if language in OG_LOCALES:
        return OG_LOCALES[language]
    code, _dash, territory = language.partition("-")
    return f"{code}_{(territory or code).upper()}"


def site_name() -> str:
    return settings.NEWSROOM_SITE_NAME


def site_description() -> str:
    return str(
        getattr(settings, "NEWSROOM_SITE_DESCRIPTION", "")
        or _(
            "Analysis and news from the post-Soviet space, the Caucasus, Central Asia, the Middle "
            "East and Europe."
        )
    )


def public_path(instance) -> str:
    """Return the reader-facing path of a story, region, rubric, author or (taggit) tag.

    Stories, regions and rubrics have one language and their own address in it. An author's
    or tag's page exists in every language with a public story of theirs: this is the default
    language's address, whatever language is active (a Russian-speaking editor's admin), which
    the page cache and the redirects read for all of them.
    """
    if hasattr(instance, "language"):
        return instance.get_absolute_url()
    with translation.override(settings.LANGUAGE_CODE):
        if hasattr(instance, "get_absolute_url"):
            return instance.get_absolute_url()
        return reverse("articles:tag", kwargs={"slug": instance.slug})


def page_path(instance) -> str:
    """Return the path of the page of a region, rubric, author or (taggit) tag that is being
    shown: a region's or rubric's own; an author's or tag's in the active language (the
    page's, the feed's), where :func:`public_path` gives the default language's."""
    if hasattr(instance, "get_absolute_url"):
        return instance.get_absolute_url()
    return reverse("articles:tag", kwargs={"slug": instance.slug})


def taxonomy_description(taxonomy) -> str:
    """Return the description of a region, rubric, tag or author page (its own, or one line)."""
    own = getattr(taxonomy, "description", "") or getattr(taxonomy, "bio", "")
    if own:
        return " ".join(own.split())
    return str(
        _("The latest stories on %(name)s from %(site)s.")
        % {"name": taxonomy.name, "site": site_name()}
    )


def article_modified_at(article) -> datetime:
    """Return when *article* was last updated as readers are told: its "Updated" time.

    That is ``revised_at``, which editors set on a substantial update, and never before the
    publication; JSON-LD, OpenGraph and the feeds all say this.
    """
    return max(moment for moment in (article.publish_at, article.revised_at) if moment)


def article_changed_at(article) -> datetime:
    """Return when any field of *article* last changed (a hint for crawlers: sitemap lastmod)."""
    changed = (article.publish_at, article.revised_at, getattr(article, "updated_at", None))
    return max(moment for moment in changed if moment)


def w3c_datetime(value: datetime | None) -> str:
    """Return *value* as a W3C datetime in the site's zone, e.g. 2024-05-09T19:20:00+02:00."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


def canonical_url(path: str, page_number: int | None = None) -> str:
    """Return the absolute URL of the page at *path*, with ``?page=N`` past page 1."""
    url = absolute_url(path)
    if page_number and page_number > 1:
        url += f"?page={page_number}"
    return url


def og_image_path(article) -> str | None:
    """Return the storage path of the 1200×630 sharing image of *article*, if it has one.

    Cut around the lead image's focal point (images.pipeline); none until it is processed.
    """
    if article.lead_image is None:
        return None
    jpegs = widths_by_format(article.lead_image.renditions or {}, CROPS[OG_CROP]).get("jpg")
    return jpegs[-1][1] if jpegs else None


def og_image_is_card_size(article) -> bool:
    """Return whether the sharing image of *article* is 1200×630 (the site's own one is)."""
    if og_image_path(article) is None:
        return True
    return crop_size(article.lead_image, OG_CROP) == OG_SIZE


def share_image_urls(article) -> list[str]:
    """Return the absolute URLs of the 16:9, 4:3 and 1:1 share images of *article*.

    Google's article guidelines recommend all three in the NewsArticle ``image`` list.
    """
    if article.lead_image is None:
        return []
    urls = (rendition_url(article.lead_image, crop) for crop in SHARE_CROPS)
    return [absolute_url(url) for url in urls if url]


def og_image_url(article=None) -> str:
    """Return the absolute URL of the sharing image of *article*, or the site's own."""
    path = og_image_path(article) if article is not None else None
    if not path:
        return absolute_url(static(SHARE_IMAGE_STATIC_PATH))
    return absolute_url(default_storage.url(path))


def logo_url() -> str:
    return absolute_url(static(LOGO_STATIC_PATH))


def json_ld(data: dict[str, Any]) -> SafeString:
    """Return *data* as a JSON-LD ``<script>`` that no string inside it can break out of."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_SCRIPT_ESCAPES)),  # noqa: S308 - <, >, & escaped above
    )


def _person(author) -> dict[str, str]:
    return {
        "@type": "Person",
        "name": author.name,
        "url": absolute_url(author.get_absolute_url()),
    }


def publisher_data() -> dict[str, Any]:
    return {
        "@type": "NewsMediaOrganization",
        "name": site_name(),
        "url": absolute_url(reverse("articles:home")),
        "logo": {"@type": "ImageObject", "url": logo_url()},
    }


def _work(version) -> dict[str, str]:
    url = absolute_url(version.get_absolute_url())
    return {"@type": "NewsArticle", "@id": url, "url": url, "inLanguage": version.language}


def translation_data(article, versions) -> dict[str, Any]:
    """Return the schema.org links of *article* to its translations among *versions* (its
    published ones, ``articles.translations.story_versions``): ``workTranslation``, the
    translations made from it; ``translationOfWork``, the story it was translated from."""
    data = {}
    made_from_it = [
        _work(version) for version in versions if version.translation_source_id == article.pk
    ]
    if made_from_it:
        data["workTranslation"] = made_from_it
    source = next(
        (version for version in versions if version.pk == article.translation_source_id), None
    )
    if article.translation_source_id is not None and source is not None:
        data["translationOfWork"] = _work(source)
    return data


def news_article_data(article, *, url: str, versions=()) -> dict[str, Any]:
    """Return the schema.org ``NewsArticle`` of *article* (byline and tags read once a page),
    linked to its published translations among *versions*."""
    images = share_image_urls(article) or [og_image_url(article)]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:HEADLINE_MAX_LENGTH],
        "description": article.teaser,
        "image": images,
        "datePublished": w3c_datetime(article.publish_at),
        "dateModified": w3c_datetime(article_modified_at(article)),
        "author": [_person(author) for author in article.byline],
        "publisher": publisher_data(),
        "articleSection": article.rubric.name,
        "keywords": [tag.name for tag in article.tag_list],
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "inLanguage": article.language,
        **translation_data(article, versions),
    }
    if article.unpublish_at is not None:
        # schema.org's end of the page's relevance: the story comes down then.
        data["expires"] = w3c_datetime(article.unpublish_at)
    if article.correction_list:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": correction.text,
                "datePublished": w3c_datetime(correction.made_at),
            }
            for correction in article.correction_list
        ]
    return data


def share_links(article) -> list[dict[str, str]]:
    """Return plain links that share *article* on X, Facebook, Telegram, WhatsApp and by email.

    Each opens the network's own share page with the story's canonical URL and title: no
    script or button of theirs on our pages, and nothing is sent to them until a reader
    clicks. Values are percent-encoded (spaces as %20, which mail programs also read).
    """
    url = canonical_url(article.get_absolute_url())
    title = article.title

    def query(**values: str) -> str:
        return urlencode(values, quote_via=quote)

    return [
        {
            "network": "X",
            "label": _("Share on %(network)s") % {"network": "X"},
            "href": f"https://x.com/intent/post?{query(text=title, url=url)}",
        },
        {
            "network": "Facebook",
            "label": _("Share on %(network)s") % {"network": "Facebook"},
            "href": f"https://www.facebook.com/sharer/sharer.php?{query(u=url)}",
        },
        {
            "network": "Telegram",
            "label": _("Share on %(network)s") % {"network": "Telegram"},
            "href": f"https://t.me/share/url?{query(url=url, text=title)}",
        },
        {
            "network": "WhatsApp",
            "label": _("Share on %(network)s") % {"network": "WhatsApp"},
            "href": f"https://wa.me/?{query(text=f'{title} {url}')}",
        },
        {
            "network": _("Email"),
            "label": _("Share by email"),
            "href": f"mailto:?{query(subject=title, body=url)}",
        },
    ]


def breadcrumb_data(trail: list[tuple[str, str]]) -> dict[str, Any]:
    """Return a ``BreadcrumbList`` from the home page through *trail* ((name, path) pairs)."""
    crumbs = [(site_name(), reverse("articles:home")), *trail]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": str(name),
                "item": absolute_url(path),
            }
            for position, (name, path) in enumerate(crumbs, start=1)
        ],
    }


def website_data() -> dict[str, Any]:
    """Return the ``WebSite`` with a ``SearchAction`` (the site search box in results), in
    the page's language: its home and its search."""
    search_url = absolute_url(reverse("search"))
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "inLanguage": get_language(),
        "name": site_name(),
        "description": site_description(),
        "url": absolute_url(reverse("articles:home")),
        "publisher": publisher_data(),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": f"{search_url}?q={{search_term_string}}",
            },
            "query-input": "required name=search_term_string",
        },
    }
