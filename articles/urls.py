from django.urls import path, register_converter

from articles import feeds, views


class TagSlugConverter:
    """Match tag slugs, which keep letters of any script ("грузия"), unlike <slug:>."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TagSlugConverter, "tag")

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("preview/<int:pk>/", views.ArticlePreviewView.as_view(), name="preview"),
    path("regions/<slug:slug>/", views.RegionArticleListView.as_view(), name="region"),
    path("rubrics/<slug:slug>/", views.RubricArticleListView.as_view(), name="rubric"),
    path("tags/<tag:slug>/", views.TagArticleListView.as_view(), name="tag"),
    path("authors/<slug:slug>/", views.AuthorArticleListView.as_view(), name="author"),
    # Each list page's own feeds live at <that page's URL>feed/ and feed/atom/.
    path("regions/<slug:slug>/feed/", feeds.RegionFeed(), name="region-feed"),
    path("regions/<slug:slug>/feed/atom/", feeds.RegionAtomFeed(), name="region-feed-atom"),
    path("rubrics/<slug:slug>/feed/", feeds.RubricFeed(), name="rubric-feed"),
    path("rubrics/<slug:slug>/feed/atom/", feeds.RubricAtomFeed(), name="rubric-feed-atom"),
    path("tags/<tag:slug>/feed/", feeds.TagFeed(), name="tag-feed"),
    path("tags/<tag:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag-feed-atom"),
    path("authors/<slug:slug>/feed/", feeds.AuthorFeed(), name="author-feed"),
    path("authors/<slug:slug>/feed/atom/", feeds.AuthorAtomFeed(), name="author-feed-atom"),
]
