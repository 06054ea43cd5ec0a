"""Which reader pages a change to a page touches, told to the page cache.

A page's own address is its own subject (``pages/<slug>``, ``PAGE_CACHE_SUBJECTS``), and the
sitemap (the front) gives its last edit: a change to its text makes those two stale. What
the footer of every reader page shows of it (title, address, place, whether it is there)
makes every page stale when it changes, as do a new page and a deleted one.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from pagecache.invalidation import invalidate, invalidate_everything
from pages.models import Page

FRONT = "/"
FOOTER_FIELDS = ("title", "slug", "in_footer", "position")


def _in_footer(page: Page) -> tuple | None:
    """Return what the footer shows of *page* as stored (None before its first save)."""
    if page.pk is None:
        return None
    return Page.objects.filter(pk=page.pk).values_list(*FOOTER_FIELDS).first()


def page_about_to_save(sender, instance, raw=False, **kwargs):
    if not raw:
        instance._footer_before = _in_footer(instance)


def page_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop("_footer_before", None)
    if created or before != _in_footer(instance):
        # A new or renamed page is linked from every footer; a new address may also have
        # been answered 404, and an old one must stop answering.
        invalidate_everything()
        return
    invalidate([instance.get_absolute_url(), FRONT])


def page_deleted(sender, instance, **kwargs):
    invalidate_everything()


def connect() -> None:
    """Connect the receivers (from ``PagesConfig.ready()``)."""
    uid = "pages.page_changes"
    pre_save.connect(page_about_to_save, sender=Page, dispatch_uid=f"{uid}:pre_save")
    post_save.connect(page_saved, sender=Page, dispatch_uid=f"{uid}:post_save")
    post_delete.connect(page_deleted, sender=Page, dispatch_uid=f"{uid}:post_delete")
