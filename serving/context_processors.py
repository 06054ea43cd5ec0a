from django.conf import settings
from django.utils.functional import SimpleLazyObject

from serving.languages import same_page_alternates


def site(request):
    """Expose the site's name to every template, and the page's addresses in the other
    languages where they are the same page (views about one thing give their own)."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "alternates": SimpleLazyObject(lambda: same_page_alternates(request)),
    }
