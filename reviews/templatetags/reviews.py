"""Template tags that attach reviews to a story page.

The articles app never imports reviews: its story template loads this library and calls
``{% reviews_for article %}``, as django-contrib-comments attaches to any object.
"""

from django import template

register = template.Library()


@register.inclusion_tag("reviews/includes/_story_reviews.html", takes_context=True)
def reviews_for(context, article):
    """Render the approved reviews of *article* and the "Leave a review" form."""
    return {"article": article, "request": context.get("request")}
