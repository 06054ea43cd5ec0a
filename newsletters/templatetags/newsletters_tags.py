"""The newsletter sign-up forms on reader pages: the footer's, and the list pages' box.

Both sit on shared, cached pages, so they carry nothing personal (no CSRF token) and post
to ``newsletters:subscribe``, which checks the request's origin instead (newsletters.views).
Both post to the page's language's address (``/ru/newsletter/subscribe/``): the sign-up is in
that language. The footer's region menu is the navigation's own cached list (the page's
language's regions): no query of its own.
"""

from django import template
from django.db.models import Model
from django.utils import translation

from articles.models import Author, Region, Rubric
from articles.templatetags.articles_tags import shared_block

register = template.Library()

# The form field each kind of list page preselects.
TOPIC_FIELDS = {Region: "region", Rubric: "rubric", Author: "author"}


@register.inclusion_tag("newsletters/includes/_footer_signup.html", takes_context=True)
def newsletter_footer(context):
    """Render the footer's sign-up form: an address, everything or one region, how often."""
    # The page's language's regions, under the navigation's own key (the same list).
    regions = shared_block(
        context,
        "regions",
        lambda: list(
            Region.objects.in_language(translation.get_language()).only("name", "slug", "language")
        ),
        generation="site",
    )
    return {"regions": regions}


@register.inclusion_tag("newsletters/includes/_list_signup.html")
def newsletter_list_signup(taxonomy: Model):
    """Render "Get ⟨this list⟩ by email" for a region, rubric or author list page.

    Tag pages get nothing: a tag is not something to subscribe to.
    """
    field = TOPIC_FIELDS.get(type(taxonomy))
    return {"field": field, "taxonomy": taxonomy}
