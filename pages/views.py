from django.views.generic import DetailView

from pages.models import Page


class PageDetailView(DetailView):
    """Show a page; an unknown slug answers 404 (cached like any reader page)."""

    model = Page
    context_object_name = "page"
