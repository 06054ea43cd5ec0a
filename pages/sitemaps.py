from articles.sitemaps import OriginSitemap
from pages.models import Page


class PageSitemap(OriginSitemap):
    """Every page, with the time it was last edited."""

    def items(self):
        return Page.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # The index names no time for this section: a few pages, each with its own lastmod,
        # and one query less for the index.
        return None
