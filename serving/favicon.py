"""``/favicon.ico``: browsers, feed readers and bookmarks ask for it by themselves."""

from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control

# A day: long enough that a browser does not ask on every page, short enough that a new icon
# (a new hashed static name) is picked up soon.
MAX_AGE = 24 * 60 * 60


def favicon(request):
    """Redirect to the site's icon, the one every page links to (reader pages and the admin)."""
    response = HttpResponseRedirect(static("img/favicon.svg"))
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response
