from django.utils import translation
from django.views.generic import DetailView

from pages.models import Page


class PageDetailView(DetailView):
    """Show a page of the address's language; an unknown slug answers 404 (cached like any
    reader page). ``alternates`` are its translations' addresses (hreflang, the switcher)."""

    model = Page
    context_object_name = "page"

    def get_queryset(self):
        return Page.objects.in_language(translation.get_language())

    def get_context_data(self, **kwargs):
        versions = Page.objects.filter(translation_key=self.object.translation_key)
        alternates = {page.language: page.get_absolute_url() for page in versions.order_by("pk")}
        return super().get_context_data(alternates=alternates, **kwargs)
