"""The editorial app's public page: a story shared before publication by a preview link.

Never cached: it answers to a secret in its address.
"""

import re

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView

from articles.models import Article
from articles.views import StoryContextMixin
from editorial import services
from editorial.models import PreviewLink
from serving.clients import client_ip

# secrets.token_urlsafe(32) gives 43 characters; anything else is not one of ours.
TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{32,64}")
# The share page's state for a live link whose story came down at its "unpublish at".
GONE = "story_gone"


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
        if state == PreviewLink.State.ACTIVE and link.article.is_expired():
            # Taken down at its "unpublish at" (an embargo that ended, a legal takedown): a
            # link shared before then must not keep showing what the site no longer does.
            state = GONE
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
        # The link has no language in its address: the page speaks the story's.
        translation.activate(self.object.language)
        request.LANGUAGE_CODE = self.object.language
        context = self.get_context_data(
            object=self.object, preview=True, noindex=True, shared_preview=link
        )
        return private(self.render_to_response(context))
