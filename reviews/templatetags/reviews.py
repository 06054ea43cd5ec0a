"""Template tags that attach reviews to a story page and the queue state to the admin index.

The articles app never imports reviews: its story template loads this library and calls
``{% reviews_for article %}``, as django-contrib-comments attaches to any object. What it
renders is the same for every reader (the story page is a shared page): the approved reviews
and a link to the review form's own page, never the form itself.
"""

from datetime import timedelta

from django import template
from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Min, Q
from django.http import Http404
from django.utils import timezone

from reviews.models import PAGE_PARAMETER, Review
from reviews.moderation import Moderator

register = template.Library()


@register.inclusion_tag("reviews/includes/_story_reviews.html", takes_context=True)
def reviews_for(context, article):
    """Render one page of the approved reviews of *article* and the way to leave one.

    The same queries whatever the number of reviews: the rules, the count and one page. A
    page number that is not one of the story's pages is a 404, so that addresses that show
    nothing new are never stored by a cache.
    """
    request = context.get("request")
    reviews = Review.objects.for_story_page(article)
    paginator = Paginator(reviews, settings.REVIEWS_PER_PAGE)
    number = request.GET.get(PAGE_PARAMETER, 1) if request is not None else 1
    try:
        page = paginator.page(number)
    except InvalidPage:
        raise Http404("No such page of reviews.") from None
    moderator = Moderator()
    is_open = moderator.story_open(article)
    return {
        "article": article,
        "page": page,
        "paginator": paginator,
        "page_parameter": PAGE_PARAMETER,
        "is_open": is_open,
        "closes_at": moderator.closes_at(article) if is_open else None,
    }


@register.inclusion_tag("reviews/admin/_queue_summary.html", takes_context=True)
def review_queue_summary(context):
    """Render the moderation queue's state for the admin index, in one query."""
    request = context.get("request")
    if request is None or not request.user.has_perm("reviews.view_review"):
        return {"show": False}
    now = timezone.now()
    since = now - timedelta(days=7)
    recent = Q(moderated_at__gte=since)
    pending = Q(status=Review.Status.PENDING)
    figures = Review.objects.filter(pending | recent).aggregate(
        pending=Count("pk", filter=pending),
        oldest=Min("created_at", filter=pending),
        approved=Count("pk", filter=recent & Q(status=Review.Status.APPROVED)),
        rejected=Count("pk", filter=recent & Q(status=Review.Status.REJECTED)),
        spam=Count("pk", filter=recent & Q(status=Review.Status.SPAM)),
    )
    return {"show": True, "now": now, **figures}
