from itertools import groupby

from django.conf import settings
from django.core.paginator import Paginator
from django.http import (
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
)
from django.shortcuts import get_object_or_404, redirect
from django.template import loader
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.generic import DetailView, ListView, TemplateView
from taggit.models import Tag

from articles import translations
from articles.models import (
    Article,
    Author,
    Region,
    Rubric,
    in_use_by,
    previous_and_following,
)
from articles.search import run_search
from serving.languages import same_page_alternates

REGION_BLOCK_SIZE = 4
# A featured story leads the home page while it is among this many newest stories.
LEAD_WINDOW = 50


class PublishedArticleMixin:
    """Every public read starts from the one published gate, in the page's language."""

    def get_queryset(self):
        return Article.objects.published().in_language(get_language()).for_teasers().newest_first()


class AlternatesMixin:
    """Give the page its addresses in the other languages (``alternates``: hreflang links and
    the language switcher), from ``get_alternates()``."""

    def get_alternates(self) -> dict[str, str]:
        return same_page_alternates(self.request)

    def get_context_data(self, **kwargs):
        return super().get_context_data(alternates=self.get_alternates(), **kwargs)


class HomeView(AlternatesMixin, PublishedArticleMixin, TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        stories = self.get_queryset()
        # The newest featured story among the latest leads; with none, the newest story does.
        # Looking no further back keeps it an index read, and an old feature does not lead.
        latest = stories.values("pk")[:LEAD_WINDOW]
        lead = stories.filter(pk__in=latest).order_by("-featured", "-publish_at", "-pk").first()
        if lead is not None:
            stories = stories.exclude(pk=lead.pk)
        per_region = stories.latest_per_region(REGION_BLOCK_SIZE, get_language())
        region_blocks = [
            (region, list(block)) for region, block in groupby(per_region, key=lambda a: a.region)
        ]
        return super().get_context_data(lead=lead, region_blocks=region_blocks, **kwargs)


class StoryContextMixin:
    """Add what the story page shows around the story: the public stories before and after it."""

    def get_context_data(self, **kwargs):
        article = self.object
        neighbours = (
            Article.objects.published().in_language(article.language).neighbours(article)
        ).for_links()
        previous_article, next_article = previous_and_following(article, neighbours)
        return super().get_context_data(
            previous_article=previous_article, next_article=next_article, **kwargs
        )


class ArticleDetailView(AlternatesMixin, StoryContextMixin, PublishedArticleMixin, DetailView):
    model = Article

    def get_queryset(self):
        return Article.objects.published().for_story()

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.language != get_language():
            # Asked for under another language's prefix: the story has one address, its own.
            return HttpResponsePermanentRedirect(self.object.get_absolute_url())
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        # The story and its published translations, read once for the hreflang links, the
        # language switcher and the sharing metadata (workTranslation, og:locale:alternate).
        self.versions = translations.story_versions(self.object)
        return super().get_context_data(story_versions=self.versions, **kwargs)

    def get_alternates(self):
        return translations.versions_alternates(self.versions)


@method_decorator(never_cache, name="dispatch")
class ArticlePreviewView(StoryContextMixin, DetailView):
    """Show any story, whatever its status, to the staff who may change it; 404 to others."""

    model = Article
    pk_url_kwarg = "pk"

    def get_queryset(self):
        user = self.request.user
        if not (user.is_authenticated and user.has_perm("articles.change_article")):
            return Article.objects.none()
        return Article.objects.editable_by(user).for_story()

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.language != get_language():
            # Previewed in the story's own language, as readers will see it.
            with translation.override(self.object.language):
                return redirect("articles:preview", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, noindex=True, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class NewestFirstPaginator(Paginator):
    """Pages of a newest-first story list whose deep pages cost about what the first does.

    ``OFFSET 9980`` reads and throws away 9,980 rows to show page 500. Here a page after the
    first starts from the publication time of its first story, found (with the list's count,
    in the same query) from publication times alone, which the region and rubric lists read
    from an index; then only the page's rows are read. ``?page=N`` addresses stay as they are.
    """

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().page(number)
        if not 1 < number < 2**31:
            # The first page, and numbers no list reaches (too big for an SQL integer).
            return super().page(number)
        offset = (number - 1) * self.per_page
        total, newer = self.object_list.count_newer_than_offset(offset)
        self.count = total  # Paginator.count is a cached property: this is its value.
        number = self.validate_number(number)
        rows = self.object_list.newest_from(offset, newer)[: self.per_page]
        return self._get_page(rows, number, self)


class TaxonomyArticleListView(AlternatesMixin, PublishedArticleMixin, ListView):
    """A paginated teaser list of one region, rubric, tag or author.

    Django's paginator answers 404 to a page number that is out of range or not a number.
    """

    paginate_by = 20
    paginator_class = NewestFirstPaginator
    taxonomy_model = None
    taxonomy_label = ""
    lookup = None
    # Tags and authors have a page only once a public story uses them (in_public_use).
    only_in_public_use = False
    template_name = "articles/article_list.html"

    def get_queryset(self):
        stories = super().get_queryset()
        self.taxonomy = get_object_or_404(self.get_taxonomies(stories), slug=self.kwargs["slug"])
        return stories.filter(**{self.lookup: self.taxonomy})

    def get_taxonomies(self, stories):
        """Return the regions (rubrics, …) with a page in this language."""
        taxonomies = self.taxonomy_model._default_manager.all()
        if self.only_in_public_use:
            # Of the page's language: a tag or author without a public story in it has none.
            return in_use_by(taxonomies, self.lookup, stories)
        return taxonomies.in_language(get_language())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            taxonomy=self.taxonomy, taxonomy_label=self.taxonomy_label, **kwargs
        )


class RegionArticleListView(TaxonomyArticleListView):
    taxonomy_model = Region
    taxonomy_label = _("Region")
    lookup = "region"

    def get_alternates(self):
        return translations.taxonomy_alternates(self.taxonomy)


class RubricArticleListView(RegionArticleListView):
    taxonomy_model = Rubric
    taxonomy_label = _("Rubric")
    lookup = "rubric"


class TagArticleListView(TaxonomyArticleListView):
    taxonomy_model = Tag
    taxonomy_label = _("Tag")
    lookup = "tags"
    only_in_public_use = True

    def get_alternates(self):
        return translations.tag_alternates(self.taxonomy, get_language())


class AuthorArticleListView(TaxonomyArticleListView):
    taxonomy_model = Author
    taxonomy_label = _("Author")
    lookup = "authors"
    only_in_public_use = True
    template_name = "articles/author_article_list.html"

    def get_queryset(self):
        stories = super().get_queryset()
        # The name and bio as spelt in the page's language.
        self.taxonomy = self.taxonomy.in_language(get_language())
        return stories

    def get_alternates(self):
        return translations.author_alternates(self.taxonomy)


@requires_csrf_token
def bad_request(request, exception=None):
    """Render the branded 400 page without touching the request (its host may be the fault)."""
    template = loader.get_template("400.html")
    return HttpResponseBadRequest(template.render({"site_name": settings.NEWSROOM_SITE_NAME}))


@requires_csrf_token
def server_error(request):
    """Render the branded 500 page from a standalone template: no database, no request."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"site_name": settings.NEWSROOM_SITE_NAME}))


class SearchView(AlternatesMixin, TemplateView):
    """Search published stories: ranked on PostgreSQL, word matches elsewhere (articles.search).

    The same for every reader, so shared like any page (its query, filters and page number
    are the key); ``noindex``, since queries are endless in number.
    """

    template_name = "search/results.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            noindex=True, **run_search(self.request.GET, language=get_language()), **kwargs
        )

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response.headers["X-Robots-Tag"] = "noindex"
        return response
