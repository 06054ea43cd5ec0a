from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView
from taggit.models import Tag

from articles.models import Article, Author, Region, Rubric


class PublishedArticleMixin:
    """Every public read starts from the one published gate."""

    def get_queryset(self):
        return Article.objects.published().for_listing().newest_first()


class HomeView(PublishedArticleMixin, TemplateView):
    template_name = "articles/home.html"


class ArticleDetailView(PublishedArticleMixin, DetailView):
    model = Article


class TaxonomyArticleListView(PublishedArticleMixin, ListView):
    """A paginated teaser list of one region, rubric, tag or author."""

    paginate_by = 20
    taxonomy_model = None
    lookup = None
    template_name = "articles/article_list.html"

    def get_queryset(self):
        self.taxonomy = get_object_or_404(self.taxonomy_model, slug=self.kwargs["slug"])
        return super().get_queryset().filter(**{self.lookup: self.taxonomy})

    def get_context_data(self, **kwargs):
        return super().get_context_data(taxonomy=self.taxonomy, **kwargs)


class RegionArticleListView(TaxonomyArticleListView):
    taxonomy_model = Region
    lookup = "region"


class RubricArticleListView(TaxonomyArticleListView):
    taxonomy_model = Rubric
    lookup = "rubric"


class TagArticleListView(TaxonomyArticleListView):
    taxonomy_model = Tag
    lookup = "tags"


class AuthorArticleListView(TaxonomyArticleListView):
    taxonomy_model = Author
    lookup = "authors"
