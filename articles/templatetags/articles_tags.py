"""Template tags for reader pages: navigation, "Latest stories", related stories, "More from",
dates and bylines.

Boxes that appear on many pages are inclusion tags calling the QuerySet. What they list is the
same on every page that shows them, so it is kept in the cache under the generations the page
is built under (``page_generations``, pagecache): a publication or any change readers could
see replaces it, and the block costs no query on the pages in between.
"""

from django import template
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from articles.models import Article, Region

register = template.Library()

# As on the seed page: "9 May 2024 19:20" ("9 мая 2024 19:20"), in the newsroom's time zone;
# a named format (newsroom/formats), so that each language writes it its own way.
NEWS_DATETIME_FORMAT = "STORY_DATETIME_FORMAT"
MORE_FROM_REGION_COUNT = 4
RELATED_COUNT = 4


def shared_block(context, name: str, build, *, generation: str = "front"):
    """Return what *build()* returns, kept under the page's generations while they hold.

    *generation* is the one besides the site's that the block changes with: "front" for
    lists of stories (any publication), "site" for what changes only with the whole site.
    Pages rendered without a request (the branded error pages) build it afresh.
    """
    generations = context.get("page_generations")
    if generations is None:
        return build()
    # Every language has its own: the same block lists other stories in Russian.
    parts = [name, translation.get_language(), generations.site]
    if generation == "front":
        parts.append(generations.front)
    key = "fragment:" + ":".join(parts)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, context["fragment_seconds"])
    return value


@register.inclusion_tag("articles/includes/_region_nav.html", takes_context=True)
def region_nav(context):
    """Render the main navigation: home and every region, the current one marked."""
    request = context.get("request")
    regions = shared_block(
        context,
        "regions",
        lambda: list(
            Region.objects.in_language(translation.get_language()).only("name", "slug", "language")
        ),
        generation="site",
    )
    return {"regions": regions, "current_path": request.path if request is not None else ""}


@register.inclusion_tag("articles/includes/_latest.html", takes_context=True)
def latest_stories(context, count=6, exclude=None):
    """Render the *count* newest public stories, leaving out *exclude* (the story on show)."""
    stories = shared_block(
        context,
        f"latest-{count}",
        lambda: list(
            Article.objects.published()
            .in_language(translation.get_language())
            .for_links()
            .newest_first()[: count + 1]
        ),
    )
    if exclude is not None:
        stories = [story for story in stories if story.pk != exclude.pk]
    return {"stories": stories[:count]}


@register.simple_tag(takes_context=True)
def related_stories(context, article):
    """Return the public stories related to *article* by tags, region and time (``related_to``).

    Kept under the page's generations like the other blocks, one entry per story: any change
    to a public story or its tags moves the front's generation on, and with it this list.
    """
    return shared_block(
        context,
        f"related-{article.pk}",
        lambda: list(
            Article.objects.published()
            .in_language(article.language)
            .related_to(article)
            .for_teasers()[:RELATED_COUNT]
        ),
    )


@register.inclusion_tag("articles/includes/_more_from_region.html", takes_context=True)
def more_from_region(context, article, exclude=()):
    """Render the newest public stories of *article*'s region, *article* and *exclude* (the
    related stories shown above it) left out."""
    stories = shared_block(
        context,
        f"region-{article.region_id}",
        lambda: list(
            Article.objects.published()
            .filter(region=article.region_id)
            .for_teasers()
            .newest_first()[: MORE_FROM_REGION_COUNT + RELATED_COUNT + 1]
        ),
    )
    left_out = {article.pk, *(story.pk for story in exclude)}
    stories = [story for story in stories if story.pk not in left_out]
    return {"article": article, "stories": stories[:MORE_FROM_REGION_COUNT]}


@register.simple_tag
def timestamp(value, fmt=NEWS_DATETIME_FORMAT):
    """Render an aware datetime as <time> in the site's time zone ("9 May 2024 19:20")."""
    if not value:
        return ""
    local = timezone.localtime(value)
    machine = local.isoformat(timespec="minutes")
    return format_html('<time datetime="{}">{}</time>', machine, date_format(local, fmt))


@register.simple_tag
def byline(authors):
    """Render authors as links to their pages: "Ann, Bob and Cem"."""
    links = [
        format_html('<a href="{}" rel="author">{}</a>', author.get_absolute_url(), author.name)
        for author in authors
    ]
    # Each link is escaped by format_html; the joining words are our own translation.
    return mark_safe(get_text_list(links, _("and")))
