"""Django apps as the newsroom installs them (INSTALLED_APPS names these instead of Django's)."""

from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _
from taggit.apps import TaggitAppConfig


class NewsroomAdminConfig(AdminConfig):
    """django.contrib.admin, with the newsroom's site (newsroom.admin) as ``admin.site``."""

    default_site = "newsroom.admin.NewsroomAdminSite"


class TagsConfig(TaggitAppConfig):
    """django-taggit, called "Tags" in the admin rather than by the library's name."""

    verbose_name = _("Tags")
