"""Public views of the editorial app: shared previews and the reader's email follow-up.

None of these pages is ever cached: each one answers to a secret in its address.
"""

import re

from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.generic import DetailView

from articles.models import Article
from articles.views import StoryContextMixin
from editorial import followup, services
from editorial.models import PreviewLink
from serving.clients import client_ip

# secrets.token_urlsafe(32) gives 43 characters; anything else is not one of ours.
TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{32,64}")


def private(response):
    """Keep a response out of every cache, and its secret address out of Referer headers."""
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class SharedPreviewView(StoryContextMixin, DetailView):
    """Show a story to whoever holds a live preview link, as it will look once published."""

    model = Article
    template_name = "articles/article_detail.html"

    def get(self, request, *args, **kwargs):
        token = kwargs["token"]
        link = services.preview_link_for_token(token) if TOKEN_FORMAT.fullmatch(token) else None
        if link is None:
            raise Http404("No such preview link.")
        state = link.state()
        if state != PreviewLink.State.ACTIVE:
            response = render(
                request,
                "editorial/share_gone.html",
                {"state": state, "noindex": True},
                status=410,
            )
            return private(response)
        services.preview_opening_record(
            link=link,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        self.object = Article.objects.for_story().get(pk=link.article_id)
        if self.object.is_published():
            # Out now: the public page is the real thing.
            return private(redirect(self.object))
        context = self.get_context_data(
            object=self.object, preview=True, noindex=True, shared_preview=link
        )
        return private(self.render_to_response(context))


def _bad_link(request, *, expired: bool):
    response = render(
        request,
        "editorial/follow_up_bad_link.html",
        {"expired": expired, "noindex": True},
        status=410 if expired else 404,
    )
    return private(response)


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
        confirmed = followup.confirm(email)
    response = render(
        request,
        "editorial/follow_up_confirm.html",
        {"email": email, "confirmed": confirmed, "noindex": True},
    )
    return private(response)


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
        "editorial/follow_up_unsubscribe.html",
        {"email": email, "done": done, "noindex": True},
    )
    return private(response)
