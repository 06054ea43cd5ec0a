"""Simple pages that editors write in the admin: About, Contact, Privacy and the like.

Like ``django.contrib.flatpages``, with the stories' rich-text sanitiser: a page is a title,
a slug (its address is ``/pages/<slug>/``) and a body, and every page marked for it is
linked from the footer of every reader page, in ``position`` order.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.sanitizer import sanitize_html


class PageQuerySet(models.QuerySet):
    def in_footer(self):
        """Return the pages the footer links to, in their order."""
        return self.filter(in_footer=True).order_by("position", "title", "pk")


class Page(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("The end of the page's address, as in /pages/about/."),
    )
    body = models.TextField(_("body"), blank=True)
    in_footer = models.BooleanField(
        _("linked in the footer"),
        default=True,
        help_text=_("Every reader page links to it at the bottom."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Footer links are in this order.")
    )
    updated_at = models.DateTimeField(_("last edited at"), auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ("position", "title")
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Whoever wrote it and however it got here (admin, shell, import), the body keeps
        # only the HTML the stories' allowlist keeps.
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("pages:detail", kwargs={"slug": self.slug})
