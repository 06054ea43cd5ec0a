"""Template tags for reader pages: navigation, "Latest stories", dates and bylines.

Boxes that appear on many pages are inclusion tags calling the QuerySet, so that each costs one
query wherever it is placed, whatever the data.
"""

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from articles import story_lists
from articles.models import Region
from newsroom.compiled import CompiledQuery, field_order, instances

register = template.Library()

# As on the seed page: "9 May 2024 19:20", in the newsroom's time zone.
NEWS_DATETIME_FORMAT = "j F Y H:i"


# On every page: compiled once (newsroom.compiled).
NAV_COLUMNS = field_order(Region, {"id", "name", "slug"})
NAV = CompiledQuery(lambda: Region.objects.values_list(*NAV_COLUMNS))


@register.inclusion_tag("articles/includes/_region_nav.html", takes_context=True)
def region_nav(context):
    """Render the main navigation: home and every region, the current one marked."""
    request = context.get("request")
    return {
        "regions": instances(Region, NAV_COLUMNS, NAV.rows()),
        "current_path": request.path if request is not None else "",
    }


@register.inclusion_tag("articles/includes/_latest.html")
def latest_stories(count=6, exclude=None):
    """Render the *count* newest public stories, leaving out *exclude* (the story on show)."""
    return {"stories": story_lists.latest(count, exclude)}


@register.simple_tag
def timestamp(value, fmt=NEWS_DATETIME_FORMAT):
    """Render an aware datetime as <time> in the site's time zone ("9 May 2024 19:20")."""
    if not value:
        return ""
    local = timezone.localtime(value)
    if fmt == NEWS_DATETIME_FORMAT:
        # What date_format() makes of "j F Y H:i", at a fifth of its cost: a story page shows
        # dozens of these (teasers, reviews).
        text = f"{local.day} {MONTHS[local.month]} {local.year} {local:%H:%M}"
    else:
        text = date_format(local, fmt)
    return format_html('<time datetime="{}">{}</time>', local.isoformat(timespec="minutes"), text)


def news_timestamps():
    """Return a function rendering aware datetimes as ``{% timestamp %}`` does, for long lists.

    It looks up the time zone once and each month's name once, where ``{% timestamp %}``
    does both per value: a page of fifty reviews shows fifty times.
    """
    zone = timezone.get_current_timezone()
    months = {}

    def render(value):
        if not value:
            return ""
        local = value.astimezone(zone)
        month = months.get(local.month)
        if month is None:
            month = months[local.month] = conditional_escape(MONTHS[local.month])
        return mark_safe(  # noqa: S308 - the month is escaped, the rest are digits
            f'<time datetime="{local.isoformat(timespec="minutes")}">'
            f"{local.day} {month} {local.year} {local.hour:02}:{local.minute:02}</time>"
        )

    return render


@register.simple_tag
def byline(authors):
    """Render authors as links to their pages: "Ann, Bob and Cem"."""
    links = [
        format_html('<a href="{}" rel="author">{}</a>', author.get_absolute_url(), author.name)
        for author in authors
    ]
    # Each link is escaped by format_html; the joining words are our own translation.
    return mark_safe(get_text_list(links, _("and")))
