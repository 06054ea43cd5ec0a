"""The newsroom's admin site: Django's, under the newsroom's name.

Installed as the default site by ``newsroom.apps.NewsroomAdminConfig``, so ``admin.site`` and
``@admin.register`` everywhere mean this site.
"""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class NewsroomAdminSite(admin.AdminSite):
    """Django's admin site with the newsroom's name in the header and the browser's title."""

    index_title = _("Dashboard")

    # Properties, not class attributes: the name is a setting, read when a page is drawn.
    @property
    def site_header(self):
        return gettext("%(site)s admin") % {"site": settings.NEWSROOM_SITE_NAME}

    @property
    def site_title(self):
        return self.site_header
