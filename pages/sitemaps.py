from articles import translations
from articles.sitemaps import OriginSitemap
from pages.models import Page


class PageSitemap(OriginSitemap):
    """Every page in every language, with the time it was last edited and its translations."""

    def items(self):
        return Page.objects.only("slug", "language", "translation_key", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at

    def page_alternates(self, items):
        # A page's translations are its versions, as a region's are (pages.views).
        alternates = translations.taxonomies_alternates(items)
        return [alternates[item.pk] for item in items]

    def get_latest_lastmod(self):
        # The index names no time for this section: a few pages, each with its own lastmod,
        # and one query less for the index.
        return None
