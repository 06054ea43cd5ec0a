"""Tell the page cache when "Most read" changed: the one list that moves with no write.

Reader pages are stored whole and replaced only when something they show changes. The
"Most read (24 h)" block is on the home page and on every story page, so a new order means
every page is stale (``invalidate_everything``): worth it only when the order really
changed, and no more often than ``NEWSROOM_MOST_READ_REFRESH`` seconds. That setting trades
the page cache's hit rate against the block's freshness; README.md ("Most read") says more.
"""

from django.conf import settings
from django.core.cache import cache

from pagecache.invalidation import invalidate_everything
from readership.selectors import most_read
from serving.languages import language_codes

# The order the pages were last told about, and the marker of the last refresh.
SHOWN_KEY = "readership:most-read-shown"
REFRESHED_KEY = "readership:most-read-refreshed"


def refresh_most_read() -> bool:
    """Make every page stale if the "Most read" order changed and may be shown; return whether.

    While it may not (refreshed less than ``NEWSROOM_MOST_READ_REFRESH`` seconds ago) the
    pages keep the order they have, and the next call after that time looks again.
    """
    # Every language's list: a new order in any makes the pages stale.
    order = {
        language: [story.pk for story in most_read(language=language)]
        for language in language_codes()
    }
    if cache.get(SHOWN_KEY) == order:
        return False
    pause = settings.NEWSROOM_MOST_READ_REFRESH
    if pause > 0 and not cache.add(REFRESHED_KEY, 1, timeout=pause):
        return False
    invalidate_everything()
    cache.set(SHOWN_KEY, order, timeout=None)
    return True
