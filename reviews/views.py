"""The reader's pages of reviews, none of them ever cached: the form, and the follow-up links.

The story page (shared by every reader) shows the approved reviews and links to the form's
own page. Every answer to a reader's review is rendered there, with everything they typed:
the errors (400), reviews closed or paused (403), too many reviews (429), and after sending
the thank-you note, through a message, once the post has been redirected back.

The follow-up pages answer the signed links of the "email me when my review is published"
emails (``reviews.followup``): confirming the address, and unsubscribing in one click.
"""

from django.contrib import messages
from django.core import signing
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from articles.models import Article
from reviews import followup, services
from reviews.forms import ReviewForm
from reviews.models import Review
from reviews.moderation import Moderator, Signals
from reviews.services import client_fingerprint, rate_limit_hit, review_submit
from serving.clients import client_ip

THANKS_PENDING = _("Thank you — your review will appear once a moderator approves it.")
THANKS_PUBLISHED = _("Thank you — your review is published.")


@require_http_methods(["GET", "HEAD", "POST"])
def review_form(request, slug):
    """Show the "Leave a review" form of a public story, and take what it sends."""
    article = get_object_or_404(Article.objects.published().for_story(), slug=slug)
    moderator = Moderator()
    if request.method != "POST":
        if messages.get_messages(request):
            # Back here after sending: the thank-you, and the way back to the story.
            return page(request, article, moderator, None, sent=True)
        form = ReviewForm(article=article) if moderator.allow(article) else None
        return page(request, article, moderator, form)

    fingerprint = client_fingerprint(client_ip(request))
    form = ReviewForm(request.POST, article=article, fingerprint=fingerprint)
    if not moderator.allow(article):
        # Closed or paused since the form was shown: say so, and keep what was typed.
        form.is_valid()
        return page(request, article, moderator, form, status=403)
    if not form.is_valid():
        return page(request, article, moderator, form, status=400)

    limit = rate_limit_hit(fingerprint)
    if not limit.allowed:
        minutes = max(1, round(limit.retry_after / 60))
        response = page(request, article, moderator, form, status=429, retry_minutes=minutes)
        response["Retry-After"] = str(limit.retry_after)
        return response

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
    published = review.status == Review.Status.APPROVED
    messages.success(request, THANKS_PUBLISHED if published else THANKS_PENDING)
    return redirect("reviews:form", slug=article.slug)


def csrf_failure(request, reason=""):
    """Answer a refused CSRF check; for the review form, with the form and all it held.

    A reader whose security cookie went missing or was mangled (a cleared cookie, a browser
    that blocks them, a tab left open for days) gets the form back, everything typed in it,
    a new cookie, and a sentence saying what to do, instead of a bare 403. Every other form
    gets Django's page (``CSRF_FAILURE_VIEW`` points here).
    """
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if request.method != "POST" or match is None or match.view_name != "reviews:form":
        return django_csrf_failure(request, reason)
    article = Article.objects.published().for_story().filter(slug=match.kwargs["slug"]).first()
    if article is None:
        return django_csrf_failure(request, reason)
    form = ReviewForm(request.POST, article=article)
    form.is_valid()
    return page(request, article, Moderator(), form, status=403, csrf_refused=True)


def page(request, article, moderator, form, *, status=200, **extra):
    """Render the form's page for *article*: never stored by any cache."""
    context = {
        "article": article,
        "review_form": form,
        "pause": moderator.pause(),
        "story_open": moderator.story_open(article),
        "closes_at": moderator.closes_at(article),
        **extra,
    }
    response = render(request, "reviews/review_form.html", context, status=status)
    add_never_cache_headers(response)
    return response


# -- The follow-up emails' links -------------------------------------------------------------


def secret_page(response):
    """Keep a page that answers to a secret in its address out of caches, logs and Referers.

    ``strict-origin``, not ``no-referrer``: a Referer then carries the site's origin only,
    never the token in the path, while the page's own forms still post an ``Origin``
    header (a no-referrer page makes browsers send ``Origin: null``, which Django's CSRF
    check refuses: the follow-up confirmation posts a CSRF-checked form).
    """
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "strict-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _bad_link(request, *, expired: bool):
    response = render(
        request,
        "reviews/follow_up_bad_link.html",
        {"expired": expired, "noindex": True},
        status=410 if expired else 404,
    )
    return secret_page(response)


@require_http_methods(["GET", "POST"])
def follow_up_confirm(request, token):
    """Confirm "email me when my review is published": a page with a button, then a POST.

    A GET changes nothing, so mail scanners that open links cannot confirm for the reader.
    """
    try:
        email = followup.review_from_confirm_token(token).email
    except signing.SignatureExpired:
        return _bad_link(request, expired=True)
    except signing.BadSignature:
        return _bad_link(request, expired=False)
    confirmed = None
    if request.method == "POST":
        confirmed = services.follow_up_confirm(email=email)
    response = render(
        request,
        "reviews/follow_up_confirm.html",
        {"email": email, "confirmed": confirmed, "noindex": True},
    )
    return secret_page(response)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def follow_up_unsubscribe(request, token):
    """Unsubscribe an address from review emails: RFC 8058 one-click POST, or a page.

    The mail client's one-click POST carries no CSRF token, so the view is exempt; the signed
    token in the address is the proof, and unsubscribing is all it can do.
    """
    try:
        email = followup.review_from_unsubscribe_token(token).email
    except signing.BadSignature:
        return _bad_link(request, expired=False)
    done = False
    if request.method == "POST":
        followup.unsubscribe(email)
        done = True
    response = render(
        request,
        "reviews/follow_up_unsubscribe.html",
        {"email": email, "done": done, "noindex": True},
    )
    return secret_page(response)
