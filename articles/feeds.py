"""RSS 2.0 and Atom 1.0 feeds of the latest stories: all, and per region, rubric, tag, author.

Each language has its own, under its prefix as its pages are (``/feed/`` the default
language's, ``/ru/feed/``, ``/ru/regions/<slug>/feed/`` …): a feed lists that language's stories
only, says so (RSS ``<language>``, Atom ``xml:lang``: Django's ``Feed`` gives the active
language, which the address chose) and speaks it in its title and description. A region,
rubric, tag or author has a feed in a language where its page exists.

Every feed runs a fixed number of queries (the stories with their latest correction, their
tags, their authors, and the region/rubric/tag/author itself for the narrowed feeds), whatever
the volume. An item that was corrected says so first, with the latest correction's time and
text, in its description and its content, as the story page does. Every link in a
feed is absolute on the site's configured origin (``serving.origin``): Django's ``Feed``
would otherwise complete relative links with the request's host.
"""

import functools
import mimetypes

from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed, rfc3339_date
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from articles import body
from articles.models import Article, Author, Region, Rubric, in_use_by
from articles.seo import (
    article_modified_at,
    og_image_path,
    page_path,
    site_description,
    site_name,
)
from articles.templatetags.articles_tags import NEWS_DATETIME_FORMAT
from serving.origin import absolute_url

FEED_SIZE = 50
CONTENT_NAMESPACE = "http://purl.org/rss/1.0/modules/content/"


class RssWithContent(Rss201rev2Feed):
    """RSS 2.0 with the full story in ``content:encoded`` and the update time in ``atom:updated``.

    RSS has no element for an item's update time; Atom's, in the atom namespace Django already
    declares, is the one readers understand.
    """

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NAMESPACE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content:encoded", item["content"])
        if item.get("updateddate"):
            handler.addQuickElement("atom:updated", rfc3339_date(item["updateddate"]))


class AtomWithContent(Atom1Feed):
    """Atom 1.0 with the full story in ``<content type="html">`` beside the summary."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


class LatestArticlesFeed(Feed):
    feed_type = RssWithContent
    url_name = "articles-feed"

    def author_name(self, obj=None):
        # Atom needs an author per entry or on the feed: the newsroom signs the feed.
        return site_name()

    def title(self, obj=None):
        return site_name()

    def link(self, obj=None):
        return absolute_url(reverse("articles:home"))

    def feed_url(self, obj=None):
        return absolute_url(reverse(self.url_name))

    def description(self, obj=None):
        return site_description()

    def base_queryset(self):
        # The language the address names (serving.middleware.LanguageMiddleware activated it).
        return (
            Article.objects.published()
            .in_language(get_language())
            .select_related("region", "rubric", "lead_image")
            .with_byline_and_tags()
            .with_latest_correction()
            .newest_first()
        )

    def filter_items(self, queryset, obj):
        return queryset

    def items(self, obj=None):
        stories = list(self.filter_items(self.base_queryset(), obj)[:FEED_SIZE])
        # The figures and embeds of all the stories in two queries, not two per story.
        media = body.load_media(story.body for story in stories)
        for story in stories:
            story.body_media = media
        return stories

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_description(self, item):
        # RSS <description> and Atom's html summary are HTML to a feed reader; the teaser is
        # plain text, so it is escaped once more: "<img onerror>" arrives as those characters.
        correction = latest_correction_html(item)
        if correction:
            return correction + format_html("<p>{}</p>", item.teaser)
        return escape(item.teaser)

    def item_extra_kwargs(self, item):
        # Figures with absolute image URLs, embeds and footnotes as plain links and text.
        content = body.render(item, absolute=True, media=item.body_media)
        return {"content": latest_correction_html(item) + content}

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return article_modified_at(item)

    def item_author_name(self, item):
        return ", ".join(author.name for author in item.byline) or None

    def item_categories(self, item):
        return [item.rubric.name, item.region.name, *(tag.name for tag in item.tag_list)]

    def item_enclosures(self, item):
        path = og_image_path(item)
        if not path:
            return []
        try:
            length = stored_size(path)
        except (OSError, NotImplementedError):
            # RSS requires the length; a missing file gets no enclosure rather than a bad one.
            return []
        mime_type = mimetypes.guess_type(path)[0] or "image/jpeg"
        return [Enclosure(absolute_url(default_storage.url(path)), str(length), mime_type)]


def latest_correction_html(article) -> str:
    """Return the latest correction of *article* as an HTML paragraph, or "" if it has none.

    "Corrected 9 May 2024 21:10: …", in the site's date format and the newsroom's zone.
    """
    correction = article.latest_correction
    if correction is None:
        return ""
    when = date_format(timezone.localtime(correction.made_at), NEWS_DATETIME_FORMAT)
    return format_html(
        "<p><strong>{}</strong> {}</p>",
        _("Corrected %(time)s:") % {"time": when},
        linebreaksbr(correction.text, autoescape=True),
    )


@functools.lru_cache(maxsize=4096)
def stored_size(path: str) -> int:
    """Return the size in bytes of the stored file *path*, asked of the storage once.

    On object storage each size is a request, fifty per feed. Uploads and renditions are
    stored under fresh names (a random stem; storage never overwrites), so a name keeps its
    size; at worst a rendition rebuilt under its old name from the same image is re-encoded
    to the same bytes. A missing file raises and is asked again next time.
    """
    return default_storage.size(path)


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = AtomWithContent
    url_name = "articles-feed-atom"

    def subtitle(self, obj=None):
        return self.description(obj)


class TaxonomyFeedMixin:
    """Narrow a feed to one region, rubric, tag or author, found by the slug in the URL."""

    model = None
    lookup = None
    # As their pages: tags and authors have no feed until a public story uses them.
    only_in_public_use = False

    def get_object(self, request, slug):
        # As the list page: of this language, and for tags and authors, with a public story
        # in it (articles.views.TaxonomyArticleListView).
        objects = self.model._default_manager.all()
        if self.only_in_public_use:
            public = Article.objects.published().in_language(get_language())
            objects = in_use_by(objects, self.lookup, public)
        else:
            objects = objects.in_language(get_language())
        found = get_object_or_404(objects, slug=slug)
        # An author's name and bio as spelt in the feed's language.
        return found.in_language(get_language()) if isinstance(found, Author) else found

    def title(self, obj=None):
        return _("%(name)s · %(site)s") % {"name": obj.name, "site": site_name()}

    def link(self, obj=None):
        return absolute_url(page_path(obj))

    def feed_url(self, obj=None):
        return absolute_url(reverse(self.url_name, kwargs={"slug": obj.slug}))

    def description(self, obj=None):
        return getattr(obj, "description", "") or getattr(obj, "bio", "") or site_description()

    def filter_items(self, queryset, obj):
        return queryset.filter(**{self.lookup: obj})


# URL names (articles namespace) of the feeds of each kind of list page.
TAXONOMY_FEED_NAMES = {
    Region: ("region-feed", "region-feed-atom"),
    Rubric: ("rubric-feed", "rubric-feed-atom"),
    Tag: ("tag-feed", "tag-feed-atom"),
    Author: ("author-feed", "author-feed-atom"),
}


def _feed_pair(model, lookup):
    rss_name, atom_name = TAXONOMY_FEED_NAMES[model]
    attrs = {"model": model, "lookup": lookup, "only_in_public_use": model in (Tag, Author)}
    name = model.__name__
    rss = type(
        f"{name}Feed",
        (TaxonomyFeedMixin, LatestArticlesFeed),
        {**attrs, "url_name": f"articles:{rss_name}"},
    )
    atom = type(
        f"{name}AtomFeed",
        (TaxonomyFeedMixin, LatestArticlesAtomFeed),
        {**attrs, "url_name": f"articles:{atom_name}"},
    )
    return rss, atom


RegionFeed, RegionAtomFeed = _feed_pair(Region, "region")
RubricFeed, RubricAtomFeed = _feed_pair(Rubric, "rubric")
TagFeed, TagAtomFeed = _feed_pair(Tag, "tags")
AuthorFeed, AuthorAtomFeed = _feed_pair(Author, "authors")


def feed_links(obj=None) -> list[dict[str, str]]:
    """Return the feeds a page advertises: its own (for a taxonomy *obj*), then the site's."""
    links = []
    names = TAXONOMY_FEED_NAMES.get(type(obj)) if obj is not None else None
    if names:
        rss_name, atom_name = names
        kwargs = {"slug": obj.slug}
        label = _("%(name)s · %(site)s") % {"name": obj.name, "site": site_name()}
        links += [
            {
                "type": "application/rss+xml",
                "title": _("%(label)s (RSS)") % {"label": label},
                "href": reverse(f"articles:{rss_name}", kwargs=kwargs),
            },
            {
                "type": "application/atom+xml",
                "title": _("%(label)s (Atom)") % {"label": label},
                "href": reverse(f"articles:{atom_name}", kwargs=kwargs),
            },
        ]
    links += [
        {
            "type": "application/rss+xml",
            "title": _("%(site)s (RSS)") % {"site": site_name()},
            "href": reverse("articles-feed"),
        },
        {
            "type": "application/atom+xml",
            "title": _("%(site)s (Atom)") % {"site": site_name()},
            "href": reverse("articles-feed-atom"),
        },
    ]
    return links
