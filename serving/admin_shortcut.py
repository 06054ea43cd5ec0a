"""The admin's "View on site" shortcut (``/admin/r/<type>/<id>/``), asking the model's admin.

Django's own shortcut redirects any staff user to any object's public address, whatever the
object: a moderator would learn the address of a draft, an author that of another author's
story, and anyone could walk the ids. This one answers only for objects the model's admin
would show the user (its ``get_object()``, with its own queryset rules, and its view or
change permission), and sends them where that admin says (its ``view_on_site``); to anyone
else it answers 404, as the object's change page does.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404
from django.shortcuts import redirect


def view_on_site(request, content_type_id, object_id):
    """Redirect to where *object_id* of *content_type_id* is seen on the site, or 404."""
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        model_admin = admin.site.get_model_admin(model)
    except (ContentType.DoesNotExist, admin.sites.NotRegistered):
        raise Http404("No such object.") from None
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404("No such object.")
    if callable(model_admin.view_on_site):
        url = model_admin.view_on_site(obj)
        if not url:
            raise Http404("This object has no page on the site.")
        return redirect(url)
    if not model_admin.view_on_site:
        raise Http404("This object has no page on the site.")
    return shortcut(request, content_type_id, object_id)
