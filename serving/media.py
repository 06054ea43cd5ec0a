"""Uploads served by the app itself, for a single server or a CDN that pulls from it."""

from django.conf import settings
from django.views.decorators.http import require_safe
from django.views.static import serve

# Stored names are never reused: uploads and renditions get random names, a changed picture
# gets new ones, and Django's storage adds a suffix rather than overwrite. So a browser or CDN
# may keep a file a year without asking again.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"
# What the picture pipeline writes (images.pipeline). Anything else in MEDIA_ROOT (a file put
# there by hand, or by an older release) is offered as a download, never shown in the browser.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif", "image/avif"}


@require_safe
def serve_media(request, path):
    """Return a file from MEDIA_ROOT, or 404; never anything outside it."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = MEDIA_CACHE_CONTROL
    # Even a file that is not what its name says can run nothing: no scripts, no plugins.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    content_type = response.get("Content-Type", "").split(";", 1)[0].strip()
    if content_type not in INLINE_TYPES:
        response["Content-Disposition"] = "attachment"
    return response
