"""The newsroom's admin site: Django's, under the newsroom's name.

Installed as the default site by ``newsroom.apps.NewsroomAdminConfig``, so ``admin.site`` and
``@admin.register`` everywhere mean this site.
"""

import functools

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpResponseRedirect
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

    def admin_view(self, view, cacheable=False):
        model_admin = getattr(view, "__self__", None)
        if isinstance(model_admin, admin.ModelAdmin):
            view = refuses_junk_selections(view, model_admin)
        return super().admin_view(view, cacheable)


def refuses_junk_selections(view, model_admin):
    """Answer a bulk action posted with something that is no id of the list's model.

    Django filters on the posted selection as it comes: a value that is no id (or, on
    SQLite, an integer too big for the column) fails the query, a 500, not the request.
    """
    pk = model_admin.model._meta.pk

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        if request.method == "POST" and helpers.ACTION_CHECKBOX_NAME in request.POST:
            try:
                for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                    valid_id(pk, value)
            except (ValidationError, OverflowError):
                model_admin.message_user(
                    request,
                    gettext("That selection is not a list of items here. Nothing was changed."),
                    messages.ERROR,
                )
                return HttpResponseRedirect(request.get_full_path())
        return view(request, *args, **kwargs)

    return checked


def valid_id(pk, value) -> None:
    """Raise ValidationError (or OverflowError) unless *value* can be an id in column *pk*."""
    number = pk.to_python(value)
    internal_type = pk.get_internal_type()
    low, high = (
        connection.ops.integer_field_range(internal_type)
        if isinstance(number, int)
        else (None, None)
    )
    if (low is not None and number < low) or (high is not None and number > high):
        raise OverflowError(value)
