"""The footer of every reader page: links to the pages, and to the feeds.

The pages listed are the same on every page, so they are kept with the blocks every page
shares (``articles_tags.shared_block``, under the site's generation): a change to what the
footer shows of a page makes every page stale (``pages.page_changes``), and the block with it.
"""

from django import template
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from articles.feeds import TAXONOMY_FEED_NAMES
from articles.templatetags.articles_tags import shared_block
from pages.models import Page

register = template.Library()


@register.inclusion_tag("pages/includes/_footer.html", takes_context=True)
def site_footer(context):
    """Render the footer's links: the pages in the page's language, the site's feed, and a
    list page's own feed."""
    pages = shared_block(
        context,
        "footer-pages",
        # The page's language's own (the block is kept per language).
        lambda: list(
            Page.objects.in_language(get_language()).in_footer().only("title", "slug", "language")
        ),
        generation="site",
    )
    request = context.get("request")
    feeds = []
    taxonomy = context.get("taxonomy")
    names = TAXONOMY_FEED_NAMES.get(type(taxonomy)) if taxonomy is not None else None
    if names:
        feeds.append(
            {
                "href": reverse(f"articles:{names[0]}", kwargs={"slug": taxonomy.slug}),
                "label": _("RSS feed: %(name)s") % {"name": taxonomy.name},
            }
        )
    feeds.append({"href": reverse("articles-feed"), "label": _("RSS feed: all stories")})
    return {
        "pages": pages,
        # "Your data" (datarights) is linked next to the Privacy page, or after the pages.
        "privacy_listed": any(page.slug == "privacy" for page in pages),
        "feeds": feeds,
        "current_path": request.path if request is not None else "",
    }
