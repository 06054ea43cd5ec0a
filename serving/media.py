"""Uploads served by the app itself, for a single server or a CDN that pulls from it."""

from django.conf import settings
from django.views.decorators.http import require_safe
from django.views.static import serve

# Stored names are never reused (Django's storage adds a suffix rather than overwrite), so a
# day is safe; a CDN in front keeps them longer by its own rules.
MEDIA_MAX_AGE = 24 * 60 * 60


@require_safe
def serve_media(request, path):
    """Return a file from MEDIA_ROOT, or 404; never anything outside it."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = f"public, max-age={MEDIA_MAX_AGE}"
    return response
