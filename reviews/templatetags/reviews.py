"""Template tags that attach reviews to a story page and the queue state to the admin index.

The articles app never imports reviews: its story template loads this library and calls
``{% reviews_for article %}``, as django-contrib-comments attaches to any object. What it
renders is the same for every reader (the story page is a shared page): the approved reviews
with the first ``REVIEWS_REPLIES_SHOWN`` replies of each (the others on the review's own pages
of replies), and a link to the review form's own page, never the form itself. On the story's
own page it is kept in the cache under the page's generations, which move on whenever a review
of the story is approved, rejected or deleted, or its reviews close.
"""

from datetime import timedelta

from django import template
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Min, Q
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from pagecache.keys import subject_of
from reviews.models import PAGE_PARAMETER, Review
from reviews.moderation import Moderator

register = template.Library()


@register.simple_tag(takes_context=True)
def reviews_for(context, article):
    """Render one page of the approved reviews of *article* and the way to leave one.

    The same queries whatever the number of reviews: the rules, the count and one page (none
    when the block is in the cache). A page number that is not one of the story's pages is a
    404, so that addresses that show nothing new are never stored by a cache.
    """
    request = context.get("request")
    number = request.GET.get(PAGE_PARAMETER, "1") if request is not None else "1"
    key = block_key(context, article, number)
    html = cache.get(key) if key else None
    if html is None:
        html = render_to_string(
            "reviews/includes/_story_reviews.html", story_reviews(article, number)
        )
        if key:
            cache.set(key, html, context["fragment_seconds"])
    return html


def block_key(context, article, number: str) -> str | None:
    """Return the cache key of the block on the story's own page, or None elsewhere."""
    request = context.get("request")
    generations = context.get("page_generations")
    if request is None or generations is None:
        return None
    if subject_of(request.path) != subject_of(article.get_absolute_url()):
        return None
    if not number.isdecimal():
        return None
    return f"fragment:reviews:{generations.site}:{generations.subject}:{article.pk}:{int(number)}"


def story_reviews(article, number) -> dict:
    """Return what the reviews block shows: one page of approved reviews, open or closed."""
    reviews = Review.objects.for_story_page(article, replies_shown=settings.REVIEWS_REPLIES_SHOWN)
    paginator = Paginator(reviews, settings.REVIEWS_PER_PAGE)
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
        "replies_shown": settings.REVIEWS_REPLIES_SHOWN,
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
