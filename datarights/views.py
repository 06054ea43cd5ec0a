"""The reader's "Your data" pages: ask by email, then see, download or erase through the link.

None is ever cached (their prefix is outside the page cache, and each says ``no-store,
private``), none is indexed. The form answers every well-formed address the same way, with
the same page and the same two INSERTs (``services.data_request_make``): whether anything is
held, and the email, are the worker's business. A bad, cut-off or expired link gets a page
that says so, never an error.

The pages of the link carry its token in their address, so they send no ``Referer`` at all
(``no-referrer``), except the confirmation page: its button is a POST checked by Django's
CSRF protection, which refuses the ``Origin: null`` a browser sends from a ``no-referrer``
page. That page says ``same-origin`` instead: the token still never leaves this site.
"""

from functools import wraps

from django.conf import settings
from django.core import signing
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from datarights import limits, links, services
from datarights.forms import AddressForm
from datarights.inventory import inventory_for
from reviews.personal_data import ANONYMISE


def private(response, *, referrer: str | None = None):
    """Keep a reader's page out of every cache and search engine (and, if asked, Referers)."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    if referrer:
        response["Referrer-Policy"] = referrer
    return response


def page(request, template: str, context: dict | None = None, *, status=200, referrer=None):
    context = {"noindex": True, **(context or {})}
    response = render(request, f"datarights/{template}", context, status=status)
    return private(response, referrer=referrer)


@require_http_methods(["GET", "HEAD", "POST"])
def request_form(request):
    """Ask for the link: an address, then the same answer for every address."""
    if request.method != "POST":
        return page(request, "request.html", {"form": AddressForm()})
    form = AddressForm(request.POST)
    if not form.is_valid():
        return page(request, "request.html", {"form": form}, status=400)
    limit = limits.client_hit(request)
    if not limit.allowed:
        context = {"form": form, "retry_minutes": max(1, -(-limit.retry_after // 60))}
        response = page(request, "request.html", context, status=429)
        response["Retry-After"] = str(limit.retry_after)
        return response
    # In the page's language (/ru/your-data/ Russian): the email, its link and its pages.
    services.data_request_make(email=form.cleaned_data["email"], language=get_language())
    return redirect("datarights:sent")


@require_GET
def sent(request):
    """Say what happens next, in the same words whatever the address was."""
    interval = -(-settings.DATA_REQUEST_EMAIL_INTERVAL // 60)
    return page(request, "sent.html", {"minutes": minutes(), "interval_minutes": interval})


def minutes() -> int:
    return int(links.MAX_AGE.total_seconds() // 60)


def opened(view):
    """Open the link's request for *view*, or answer with a page saying what is wrong with it."""

    @wraps(view)
    def wrapped(request, token):
        try:
            data_request = links.open_link(token)
        except signing.SignatureExpired:
            return bad_link(request, "expired", status=410)
        except signing.BadSignature:
            return bad_link(request, "invalid", status=404)
        except links.Gone:
            return bad_link(request, "gone", status=410)
        return view(request, token, data_request)

    return wrapped


def bad_link(request, problem: str, *, status: int):
    context = {"problem": problem, "minutes": minutes()}
    return page(request, "bad_link.html", context, status=status, referrer="no-referrer")


@require_GET
@opened
def data(request, token, data_request):
    """What we hold for the link's address, with the download and the way to erase it."""
    context = {
        "inventory": inventory_for(data_request.email),
        "erasure": services.erasure_preview(email=data_request.email),
        "token": token,
        "anonymise": services.erasure_mode() == ANONYMISE,
    }
    return page(request, "data.html", context, referrer="no-referrer")


@require_GET
@opened
def download(request, token, data_request):
    """The same as a JSON file."""
    response = JsonResponse(
        services.data_export(email=data_request.email), json_dumps_params={"indent": 2}
    )
    filename = f"your-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return private(response, referrer="no-referrer")


@require_http_methods(["GET", "POST"])
@opened
def erase(request, token, data_request):
    """Erase: a page that says what will happen, then the button (a POST with CSRF)."""
    if request.method == "POST":
        done = services.data_erase(email=data_request.email)
        return page(request, "erased.html", {"done": done}, referrer="no-referrer")
    context = {
        "inventory": inventory_for(data_request.email),
        "erasure": services.erasure_preview(email=data_request.email),
        "token": token,
        "anonymise": services.erasure_mode() == ANONYMISE,
    }
    return page(request, "confirm_erase.html", context, referrer="same-origin")
