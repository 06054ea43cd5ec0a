"""Template tags that put readership on pages: the read beacon, "Most read", editors' figures.

The articles app never imports readership: its story and home templates load this library,
as they load the reviews app's.
"""

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html

from articles.templatetags.articles_tags import shared_block
from readership.models import StoryReads
from readership.selectors import MOST_READ_COUNT, MOST_READ_PERIOD, most_read

register = template.Library()


@register.simple_tag
def read_beacon(article):
    """Render the script that counts one read of *article* once the page is seen.

    The same for every reader (the page is shared): the story's beacon address only.
    """
    return format_html(
        '<script src="{}" data-beacon="{}" defer></script>',
        static("js/reads.js"),
        reverse("readership:read", kwargs={"story_id": article.pk}),
    )


@register.inclusion_tag("readership/_most_read.html", takes_context=True)
def most_read_stories(context, current=None):
    """Render "Most read (24 h)": the public stories of the page's language read most in the
    last day.

    Kept with the page's generations like "Latest stories"; the worker moves them on when the
    order changes (``readership.page_changes``). *current* (the story on show) is marked.
    """
    stories = shared_block(
        # The block's key has the page's language in it (shared_block).
        context,
        f"most-read-{MOST_READ_COUNT}",
        lambda: most_read(MOST_READ_COUNT, language=translation.get_language()),
    )
    return {"stories": stories, "current_pk": getattr(current, "pk", None)}


@register.inclusion_tag("readership/admin/_story_reads.html")
def story_reads(article):
    """Render the reads of *article* for editors: in the last 24 hours, and in all (one query)."""
    figures = StoryReads.objects.figures_for(article.pk, timezone.now() - MOST_READ_PERIOD)
    return {"figures": figures}
