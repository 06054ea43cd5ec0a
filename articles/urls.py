from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("preview/<int:pk>/", views.ArticlePreviewView.as_view(), name="preview"),
    path("regions/<slug:slug>/", views.RegionArticleListView.as_view(), name="region"),
    path("rubrics/<slug:slug>/", views.RubricArticleListView.as_view(), name="rubric"),
    path("tags/<slug:slug>/", views.TagArticleListView.as_view(), name="tag"),
    path("authors/<slug:slug>/", views.AuthorArticleListView.as_view(), name="author"),
]
