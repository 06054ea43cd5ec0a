"""The reader's pages of reviews: the form (for a review or a reply), the report form, the
author's edit page and the follow-up links, none of them ever cached; and a review's pages of
replies, shared and cached like the story page.

The story page (shared by every reader) shows the approved reviews with their first replies
and links to these pages; nothing on it is anyone's own. Every answer to a reader's review is
rendered on the form's page, with everything they typed: the errors (400), reviews closed or
paused (403), too many reviews (429), and after sending the thank-you note and the author's
edit link, through messages, once the post has been redirected back.

The follow-up pages answer the signed links of the "email me when my review is published"
emails (``reviews.followup``): confirming the address, and unsubscribing in one click.

A story's review pages are in the story's language, under its prefix
(``/ru/articles/<slug>/review/``), as the story's own page is: asked for under another
language's prefix, they answer as ``articles.views.ArticleDetailView`` does, with a
permanent redirect to their own address (:func:`elsewhere`).
"""

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, translate_url
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from articles.models import Article
from reviews import editing, followup, services
from reviews.forms import ReportForm, ReviewEditForm, ReviewForm
from reviews.models import PUBLIC_COLUMNS, REPLIES_PAGE_PARAMETER, Review
from reviews.moderation import Moderator, Signals
from reviews.reports import review_report
from reviews.services import (
    ReplyRefused,
    client_fingerprint,
    rate_limit_hit,
    reply_refusal,
    review_submit,
)
from serving.clients import client_ip

THANKS_PENDING = _("Thank you — your review will appear once a moderator approves it.")
THANKS_PUBLISHED = _("Thank you — your review is published.")
THANKS_REPLY_PENDING = _("Thank you — your reply will appear once a moderator approves it.")
THANKS_REPLY_PUBLISHED = _("Thank you — your reply is published.")
# The tag of the message that carries the author's edit link (reviews/includes/_sent.html).
EDIT_LINK = "edit-link"
REPORTED = _("Thank you — moderators will look at it.")
REPORTED_BEFORE = _("You have reported this one already; moderators have your report.")
EDITED = _("Your changes are saved.")
EDITED_HELD = _("Your changes are saved. They will appear once a moderator approves them.")
# A published review (reply) the rules did not approve again: off the story's page for now.
EDITED_UNPUBLISHED = _(
    "Your changes are saved. Your review will be shown again once a moderator approves it."
)
EDITED_REPLY_UNPUBLISHED = _(
    "Your changes are saved. Your reply will be shown again once a moderator approves it."
)
WITHDRAWN = _("Your review is withdrawn: it is no longer on the site.")


@require_http_methods(["GET", "HEAD", "POST"])
def review_form(request, slug, pk=None):
    """Show the "Leave a review" form of a public story, or the form to reply to its review
    *pk*, and take what it sends."""
    article = get_object_or_404(Article.objects.published().for_story(), slug=slug)
    if redirect_elsewhere := elsewhere(request, article):
        return redirect_elsewhere
    moderator = Moderator()
    parent = None
    if pk is not None:
        parent = get_object_or_404(Review.objects.select_related("parent"), pk=pk, article=article)
        refused = reply_refusal(parent, article)
        if refused == ReplyRefused.TO_A_REPLY:
            if not parent.is_public():
                raise Http404("No such review to reply to.")
            # Say so, and point to the review it answers: replies attach there.
            return page(request, article, moderator, None, parent=parent, status=400)
        if refused:
            # Not public: nothing of it (name, text, whether it is a reply) is ever rendered.
            if request.method != "POST":
                raise Http404("No such review to reply to.")
            # Held or rejected since the form was shown: keep what the reader typed, and
            # only that.
            return page(
                request,
                article,
                moderator,
                None,
                status=403,
                reply_closed=True,
                kept_reply=request.POST.get("body", ""),
            )
    if request.method != "POST":
        if messages.get_messages(request):
            # Back here after sending: the thank-you, the edit link, the way back to the story.
            return page(request, article, moderator, None, parent=parent, sent=True)
        form = ReviewForm(article=article, parent=parent) if moderator.allow(article) else None
        return page(request, article, moderator, form, parent=parent)

    fingerprint = client_fingerprint(client_ip(request))
    form = ReviewForm(request.POST, article=article, fingerprint=fingerprint, parent=parent)
    if not moderator.allow(article):
        # Closed or paused since the form was shown: say so, and keep what was typed.
        form.is_valid()
        return page(request, article, moderator, form, parent=parent, status=403)
    if not form.is_valid():
        return page(request, article, moderator, form, parent=parent, status=400)

    limit = rate_limit_hit(fingerprint)
    if not limit.allowed:
        minutes = max(1, round(limit.retry_after / 60))
        response = page(
            request, article, moderator, form, parent=parent, status=429, retry_minutes=minutes
        )
        return too_many(response, limit)

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
        parent=parent,
    )
    # Spam hears the same as a held review (edit link included): a script learns nothing.
    published = review.status == Review.Status.APPROVED
    if parent is None:
        messages.success(request, THANKS_PUBLISHED if published else THANKS_PENDING)
    else:
        messages.success(request, THANKS_REPLY_PUBLISHED if published else THANKS_REPLY_PENDING)
    # The edit link is this reader's alone: it travels in a message to this uncached page.
    messages.info(request, editing.edit_path(review), extra_tags=EDIT_LINK)
    return redirect(request.path)


def elsewhere(request, article):
    """Return the redirect to this page under *article*'s language's prefix when it was asked
    for under another's; None when it is in its place.

    A GET or HEAD is sent there for good (301), as the story's page is. A POST is not found:
    a redirect would turn it into a GET and lose what the reader typed, and our own forms
    never post there (they are rendered on the page in its place).
    """
    if article.language == get_language():
        return None
    if request.method not in ("GET", "HEAD"):
        raise Http404("The story is in another language.")
    return HttpResponsePermanentRedirect(translate_url(request.get_full_path(), article.language))


def too_many(response, limit):
    """Add the wait a rate-limited reader is told (the page says it in minutes)."""
    response["Retry-After"] = str(limit.retry_after)
    return response


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
    forms_ = ("reviews:form", "reviews:reply")
    if request.method != "POST" or match is None or match.view_name not in forms_:
        return django_csrf_failure(request, reason)
    article = Article.objects.published().for_story().filter(slug=match.kwargs["slug"]).first()
    if article is None:
        return django_csrf_failure(request, reason)
    parent = None
    if "pk" in match.kwargs:
        parent = Review.objects.filter(pk=match.kwargs["pk"], article=article).first()
        if parent is None or reply_refusal(parent, article):
            return django_csrf_failure(request, reason)
    form = ReviewForm(request.POST, article=article, parent=parent)
    form.is_valid()
    return page(request, article, Moderator(), form, parent=parent, status=403, csrf_refused=True)


def page(request, article, moderator, form, *, parent=None, status=200, **extra):
    """Render the form's page for *article* (a reply's, with *parent*): never cached."""
    context = {
        "article": article,
        "parent": parent,
        "review_form": form,
        "pause": moderator.pause(),
        "story_open": moderator.story_open(article),
        "closes_at": moderator.closes_at(article),
        "edit_link_tag": EDIT_LINK,
        "edit_minutes": int(editing.window().total_seconds() // 60),
        **extra,
    }
    response = render(request, "reviews/review_form.html", context, status=status)
    add_never_cache_headers(response)
    return response


# -- A review's pages of replies ---------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def replies(request, slug, pk):
    """List the approved replies to the public review *pk*, oldest first, a page at a time.

    The story page shows the first ``REVIEWS_REPLIES_SHOWN`` of them and links here. Like the
    story page, this page is the same for every reader and kept by the page cache: its address
    is under the story's, so it goes stale whenever the story's page does (a review or reply
    approved, held, edited or deleted). A page number that is not one of its pages is a 404.
    """
    article = get_object_or_404(Article.objects.published(), slug=slug)
    if redirect_elsewhere := elsewhere(request, article):
        return redirect_elsewhere
    review = get_object_or_404(
        Review.objects.approved().top_level().only(*PUBLIC_COLUMNS, "article"),
        pk=pk,
        article=article,
    )
    review.article = article
    paginator = Paginator(
        Review.objects.public_replies().filter(parent=review).only(*PUBLIC_COLUMNS),
        settings.REVIEWS_REPLIES_PER_PAGE,
    )
    try:
        replies_page = paginator.page(request.GET.get(REPLIES_PAGE_PARAMETER, "1"))
    except InvalidPage:
        raise Http404("No such page of replies.") from None
    context = {
        "article": article,
        "review": review,
        "page": replies_page,
        "paginator": paginator,
        "page_parameter": REPLIES_PAGE_PARAMETER,
    }
    return render(request, "reviews/replies.html", context)


# -- Reporting a review ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def report(request, pk):
    """Show the "Report" form of a published review or reply, and take what it sends."""
    review = get_object_or_404(
        Review.objects.select_related("article", "parent").filter(
            article__in=Article.objects.published()
        ),
        pk=pk,
    )
    if not review.is_public():
        # Whatever the session holds: a review the public cannot see is not here, not even
        # for the reader whose report just held it (thanked on the page answering the report).
        raise Http404("No such review.")
    if redirect_elsewhere := elsewhere(request, review.article):
        return redirect_elsewhere
    if request.method != "POST" and messages.get_messages(request):
        # Back here after reporting: the thanks.
        return report_page(request, review, None, sent=True)
    if request.method != "POST":
        return report_page(request, review, ReportForm(review=review))

    form = ReportForm(request.POST, review=review)
    if not form.is_valid():
        return report_page(request, review, form, status=400)
    fingerprint = client_fingerprint(client_ip(request))
    limit = rate_limit_hit(fingerprint)
    if not limit.allowed:
        return too_many(report_page(request, review, form, status=429, limit=limit), limit)
    result = review_report(
        review=review,
        reason=form.cleaned_data["reason"],
        text=form.cleaned_data["text"],
        fingerprint=fingerprint,
        trapped=form.trapped,
    )
    messages.success(request, REPORTED if result.stored else REPORTED_BEFORE)
    if result.held:
        # This report held it: its page is gone for everyone, this reader included, so the
        # thanks are given here rather than after a redirect (read now, so not kept).
        return report_page(request, review, None, sent=True)
    return redirect(request.path)


def report_page(request, review, form, *, status=200, limit=None, **extra):
    context = {
        "review": review,
        "article": review.article,
        "report_form": form,
        "retry_minutes": max(1, round(limit.retry_after / 60)) if limit else None,
        "noindex": True,
        **extra,
    }
    response = render(request, "reviews/report_form.html", context, status=status)
    add_never_cache_headers(response)
    return response


# -- The author's edit link (reviews.editing) --------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def edit(request, pk, token):
    """Let the author change or withdraw their review through the signed link, in time."""
    try:
        review = editing.review_from_token(pk, token)
    except editing.EditRefused as refused:
        return edit_refused(request, refused.reason)
    if not Article.objects.published().filter(pk=review.article_id).exists():
        return edit_refused(request, editing.EditRefused.INVALID)
    if redirect_elsewhere := elsewhere(request, review.article):
        return secret_page(redirect_elsewhere)
    if request.method != "POST" and messages.get_messages(request):
        return edit_page(request, review, None, sent=True)
    refused = editing.refusal(review)
    if refused:
        return edit_refused(request, refused, review)
    if request.method != "POST":
        return edit_page(request, review, ReviewEditForm(review=review))

    if request.POST.get("action") == "withdraw":
        try:
            services.review_withdraw(review=review)
        except editing.EditRefused as refused:
            return edit_refused(request, refused.reason, review)
        messages.success(request, WITHDRAWN)
        return redirect(request.path)

    form = ReviewEditForm(request.POST, review=review)
    if not form.is_valid():
        return edit_page(request, review, form, status=400)
    limit = rate_limit_hit(client_fingerprint(client_ip(request)))
    if not limit.allowed:
        return too_many(edit_page(request, review, form, status=429, limit=limit), limit)
    was_published = review.status == Review.Status.APPROVED
    try:
        edited = services.review_edit(review=review, body=form.cleaned_data["body"])
    except editing.EditRefused as refused:
        if refused.reason == editing.EditRefused.PAUSED:
            return edit_page(request, review, form, status=403, paused=True)
        return edit_refused(request, refused.reason, review)
    if edited.status == Review.Status.APPROVED:
        messages.success(request, EDITED)
    elif was_published and edited.status == Review.Status.PENDING:
        messages.success(
            request, EDITED_REPLY_UNPUBLISHED if edited.is_reply() else EDITED_UNPUBLISHED
        )
    else:
        messages.success(request, EDITED_HELD)
    return redirect(request.path)


def edit_page(request, review, form, *, status=200, limit=None, **extra):
    public = review.status == Review.Status.APPROVED
    context = {
        "review": review,
        "article": review.article,
        "edit_form": form,
        "public": public,
        # Whether a change the rules do not hold keeps it published (trusted auto-approval),
        # or sends it back to the moderators: the author is told before saving.
        "stays_published": public and Moderator().edit_stays_published(review),
        "closes_at": editing.closes_at(review),
        "minutes_left": editing.minutes_left(review),
        "retry_minutes": max(1, round(limit.retry_after / 60)) if limit else None,
        "noindex": True,
        **extra,
    }
    return secret_page(render(request, "reviews/edit_review.html", context, status=status))


def edit_refused(request, reason, review=None):
    """Say why the edit link does not work (any more): 404 not valid, 409 answered since, 410
    over (expired, withdrawn, changed by a moderator)."""
    status = 404 if reason == editing.EditRefused.INVALID else 410
    if reason == editing.EditRefused.REPLIED:
        status = 409
    context = {"reason": reason, "review": review, "noindex": True}
    return secret_page(render(request, "reviews/edit_refused.html", context, status=status))


# -- The follow-up emails' links -------------------------------------------------------------


def secret_page(response):
    """Keep a page that answers to a secret in its address out of caches, logs and Referers.

    ``strict-origin``, not ``no-referrer``: a Referer then carries the site's origin only,
    never the token in the path, while the page's own forms still post an ``Origin``
    header (a no-referrer page makes browsers send ``Origin: null``, which Django's CSRF
    check refuses: the follow-up confirmation and the edit page post CSRF-checked forms).
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
        review = followup.review_from_confirm_token(token)
    except signing.SignatureExpired:
        return _bad_link(request, expired=True)
    except signing.BadSignature:
        return _bad_link(request, expired=False)
    confirmed = None
    if request.method == "POST":
        confirmed = services.follow_up_confirm(email=review.email)
    context = {
        "email": review.email,
        "confirmed": confirmed,
        # What the reader asked for: the page names it ("published", "replies" or both).
        "published_notice": review.follow_up != Review.FollowUp.NONE,
        "replies_notice": review.replies_follow_up != Review.RepliesFollowUp.NONE,
        "noindex": True,
    }
    response = render(request, "reviews/follow_up_confirm.html", context)
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
