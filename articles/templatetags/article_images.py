"""Template tags for lead images (renditions arrive with articles.images)."""

from django import template

register = template.Library()


@register.inclusion_tag("articles/includes/_picture.html")
def lead_picture(article, sizes="100vw", loading="lazy"):
    """Render the lead image of *article* as a responsive <picture>."""
    return {"article": article, "sizes": sizes, "loading": loading}
