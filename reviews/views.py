from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from articles.views import ArticleDetailView
from reviews.forms import ReviewForm
from reviews.models import Review
from reviews.moderation import Moderator, Signals
from reviews.services import client_fingerprint, rate_limit_hit, review_submit

MESSAGE_TAG = "reviews"
THANKS_PENDING = _("Thank you — your review will appear once a moderator approves it.")
THANKS_PUBLISHED = _("Thank you — your review is published.")


def private(response):
    """Mark a response that carries one reader's input as never to be stored by any cache."""
    add_never_cache_headers(response)
    return response


@require_POST
def submit(request, article_pk):
    """Take a review for a public story: redirect back with a thank-you, or show the errors.

    The outcome travels to the next page in a django.contrib.messages message (tagged
    "reviews"), never in the URL, so the story page itself stays shareable by a cache.
    """
    story_view = ArticleDetailView()
    story_view.setup(request)
    article = get_object_or_404(story_view.get_queryset(), pk=article_pk)
    story_view.kwargs = {"slug": article.slug}
    moderator = Moderator()
    if not moderator.allow(article):
        return render_story(request, story_view, article, form=None, status=403)

    fingerprint = client_fingerprint(request.META.get("REMOTE_ADDR", ""))
    form = ReviewForm(request.POST, article=article, fingerprint=fingerprint)
    if not form.is_valid():
        return render_story(request, story_view, article, form=form, status=400)

    limit = rate_limit_hit(fingerprint)
    if not limit.allowed:
        minutes = max(1, round(limit.retry_after / 60))
        response = render(
            request,
            "reviews/rate_limited.html",
            {"article": article, "review_form": form, "retry_minutes": minutes},
            status=429,
        )
        response["Retry-After"] = str(limit.retry_after)
        return private(response)

    review = review_submit(
        article=article,
        data=form.cleaned_data,
        fingerprint=fingerprint,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        signals=Signals(
            honeypot_filled=form.honeypot_filled,
            seconds_to_send=form.seconds_to_send,
            too_fast=form.too_fast,
        ),
        moderator=moderator,
    )
    # Spam hears the same as a held review: a script learns nothing from the answer.
    thanks = THANKS_PUBLISHED if review.status == Review.Status.APPROVED else THANKS_PENDING
    messages.success(request, thanks, extra_tags=MESSAGE_TAG)
    return redirect(article.get_absolute_url() + "#reviews")


def render_story(request, story_view, article, *, form, status):
    """Render the story page itself with the bound review form (errors at the fields)."""
    story_view.object = article
    context = story_view.get_context_data(object=article, review_form=form)
    response = story_view.render_to_response(context, status=status)
    return private(response)
