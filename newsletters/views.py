"""The newsletter's pages for readers: sign-up, confirmation, preferences, unsubscribe.

None of them is ever cached (their prefix is outside the page cache, and each says
``no-store``). The sign-up forms in the footer of every page and on the list pages sit on
shared, cached pages, which cannot carry a CSRF token; they post to :func:`subscribe`,
which is exempt from Django's CSRF check and makes its own:

- the browser must say the post came from one of our pages (``Sec-Fetch-Site:
  same-origin``, or an ``Origin`` that is the site's; ``newsletters.limits``). Anything else
  (another site's form, an old browser) gets the sign-up page with what was typed and a
  real CSRF token, and nothing happens until the reader presses the button there;
- sign-ups are limited per client (``serving.rate_limits``);
- what a sign-up can do is harmless to the address's owner anyway: double opt-in sends
  only a confirmation (one an hour per address) with none of the form's words in it, and
  a confirmed subscriber's choices change only from their own preferences link.

The answer never says whether an address is subscribed: every accepted sign-up leads to the
same "check your inbox" page.

A sign-up is in the language of the page it was made on (``/ru/newsletter/`` Russian): the
form offers that language's regions and rubrics, and the subscriber's emails and links are
in it. The pages of those links open in the subscriber's language (a GET under another
prefix is redirected to theirs); a POST is taken wherever it lands, one-click unsubscribing
above all. The preferences page changes the language, taking the followed regions and rubrics
to their versions in it.
"""

from urllib.parse import urlencode

from django.core import signing
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.models import Author, Region, Rubric
from newsletters import limits, services, tokens
from newsletters.forms import LanguageForm, PreferencesForm, SubscribeForm, is_slug
from newsletters.models import Subscriber

# The note shown once the language has changed: signed, and good for a few minutes.
LANGUAGE_CHANGED = "newsletters.language-changed"
LANGUAGE_CHANGED_AGE = 600


def private(response):
    """Keep a reader's newsletter page out of every cache and every search engine."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def secret(response):
    """Keep a page whose address holds a signed token out of caches, and out of Referers."""
    response["Referrer-Policy"] = "no-referrer"
    return private(response)


def signup_page(request, form, *, status=200, **extra):
    context = {"form": form, "noindex": True, "newsletter_page": True, **extra}
    return private(render(request, "newsletters/signup.html", context, status=status))


def initial_topics(query, language: str) -> dict:
    """Return the sign-up form's initial choices from ``?region=…&rubric=…&author=…``, the
    regions and rubrics of *language*."""
    initial = {}
    for name, rows in (
        ("region", Region.objects.in_language(language)),
        ("rubric", Rubric.objects.in_language(language)),
        ("author", Author.objects.all()),
    ):
        slugs = [slug for slug in query.getlist(name) if is_slug(slug)][:20]
        if slugs:
            initial[name] = list(rows.filter(slug__in=slugs).values_list("slug", flat=True))
    return initial


def take_signup(request, form):
    """Validate, count and take a sign-up; answer with the page to show."""
    if not form.is_valid():
        return signup_page(request, form, status=400)
    limit = limits.signup_hit(request)
    if not limit.allowed:
        response = signup_page(
            request, form, status=429, retry_minutes=max(1, round(limit.retry_after / 60))
        )
        response["Retry-After"] = str(limit.retry_after)
        return response
    services.subscriber_request(email=form.cleaned_data["email"], choices=form.choices())
    return redirect("newsletters:sent")


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    """The sign-up page: every choice, a CSRF-protected form of its own."""
    if request.method == "POST":
        return take_signup(request, SubscribeForm(request.POST))
    initial = initial_topics(request.GET, get_language())
    return signup_page(request, SubscribeForm(initial=initial))


@csrf_exempt
@require_POST
def subscribe(request):
    """Take the sign-up forms of the shared pages (see the module docstring)."""
    form = SubscribeForm(request.POST)
    if not limits.from_our_pages(request):
        # Not shown to be ours: nothing is taken; the reader confirms on our own page.
        form.is_valid()
        return signup_page(request, form, status=403, press_again=True)
    return take_signup(request, form)


@require_GET
def sent(request):
    """Say what happens next, in the same words whatever the address was."""
    return private(render(request, "newsletters/sent.html", {"noindex": True}))


def bad_link(request, *, expired: bool = False):
    response = render(
        request,
        "newsletters/bad_link.html",
        {"expired": expired, "noindex": True},
        status=410 if expired else 404,
    )
    return secret(response)


# The pages of the emails' links are exempt from Django's CSRF check: what opens them is the
# signed token in their address, not a session, so a post from another site could do nothing
# its sender could not do directly. (Their no-referrer policy also makes browsers send
# ``Origin: null`` with the button's POST, which Django's check would refuse.)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """Confirm a sign-up: a page with a button, then a POST.

    A GET changes nothing, so the link scanners of mail services confirm nothing for the
    reader.
    """
    try:
        subscriber = tokens.subscriber(tokens.CONFIRM, token)
    except signing.SignatureExpired:
        return bad_link(request, expired=True)
    except (signing.BadSignature, tokens.Gone):
        return bad_link(request)
    if request.method == "GET" and subscriber.language != get_language():
        # Under another language's prefix: the page is the subscriber's, in their language.
        return secret(redirect(tokens.path(tokens.CONFIRM, token, subscriber.language)))
    confirmed = None
    if request.method == "POST":
        confirmed = services.subscriber_confirm(subscriber=subscriber)
    context = {
        "confirmed": confirmed,
        "already": subscriber.status == Subscriber.Status.CONFIRMED,
        # Shown before the button: the form that chose them could have been anyone's (the
        # confirmation email carries nothing a stranger typed, so this page says it).
        "subscriber": subscriber,
        "preferences_url": tokens.url(
            tokens.PREFERENCES, subscriber.pk, language=subscriber.language
        ),
        "noindex": True,
    }
    return secret(render(request, "newsletters/confirm.html", context))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def preferences(request, token):
    """Change what a subscriber gets, or unsubscribe: the page every email links to."""
    try:
        subscriber = tokens.subscriber(tokens.PREFERENCES, token)
    except signing.BadSignature:
        return bad_link(request)
    except tokens.Gone:
        return secret(render(request, "newsletters/unsubscribed.html", {"noindex": True}))
    if request.method == "GET" and subscriber.language != get_language():
        return secret(redirect(tokens.path(tokens.PREFERENCES, token, subscriber.language)))
    saved = False
    form = PreferencesForm.for_subscriber(subscriber)
    language_form = LanguageForm(initial={"language": subscriber.language})
    if request.method == "POST" and "change_language" in request.POST:
        language_form = LanguageForm(request.POST)
        if language_form.is_valid():
            language = language_form.cleaned_data["language"]
            dropped = services.subscriber_change_language(subscriber=subscriber, language=language)
            changed = signing.dumps(dropped, salt=LANGUAGE_CHANGED, compress=True)
            address = tokens.path(tokens.PREFERENCES, token, language)
            return secret(redirect(f"{address}?{urlencode({'changed': changed})}"))
    elif request.method == "POST":
        form = PreferencesForm(request.POST, language=subscriber.language)
        if form.is_valid():
            services.subscriber_update(subscriber=subscriber, choices=form.choices())
            saved = True
    context = {
        "form": form,
        "language_form": language_form,
        "language_changed": language_changed(request),
        "subscriber": subscriber,
        "saved": saved,
        "unsubscribe_url": tokens.url(
            tokens.UNSUBSCRIBE, subscriber.pk, language=subscriber.language
        ),
        "noindex": True,
        "newsletter_page": True,
    }
    failed = form.errors or language_form.errors
    return secret(
        render(request, "newsletters/preferences.html", context, status=400 if failed else 200)
    )


def language_changed(request) -> dict | None:
    """Return what the page says after a change of language: the topics no longer followed
    (signed by the change, so that a link cannot make the page say anything else)."""
    try:
        dropped = signing.loads(
            request.GET.get("changed", ""), salt=LANGUAGE_CHANGED, max_age=LANGUAGE_CHANGED_AGE
        )
    except signing.BadSignature:
        return None
    return {"dropped": [str(name) for name in dropped]} if isinstance(dropped, list) else None


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Unsubscribe: RFC 8058's one-click POST from a mail program, or a page with a button.

    The mail program's POST carries no cookie and no CSRF token, so the view is exempt: the
    signed token in the address is the proof, and unsubscribing is all it can do. A GET only
    asks, so link scanners unsubscribe nobody. Unsubscribing twice answers the same.
    """
    try:
        subscriber_id = tokens.subscriber_id(tokens.UNSUBSCRIBE, token)
    except signing.BadSignature:
        return bad_link(request)
    if request.method == "POST":
        services.subscriber_unsubscribe(subscriber_id=subscriber_id)
        return secret(render(request, "newsletters/unsubscribed.html", {"noindex": True}))
    if not Subscriber.objects.filter(pk=subscriber_id).exists():
        return secret(render(request, "newsletters/unsubscribed.html", {"noindex": True}))
    return secret(render(request, "newsletters/unsubscribe.html", {"noindex": True}))
