"""Simple pages that editors write in the admin: About, Contact, Privacy and the like.

Like ``django.contrib.flatpages``, with the stories' rich-text sanitiser: a page is a title,
a slug (its address is ``/pages/<slug>/``) and a body, and every page marked for it is
linked from the footer of every reader page, in ``position`` order.

A page is in one language, as a story is (``articles.models.Translatable``): its address has
that language's prefix (``/ru/pages/privacy/``), the footer of a page in that language links
it, and pages sharing a ``translation_key`` are translations of one another.
"""

from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from articles.models import Translatable, TranslatableQuerySet
from articles.sanitizer import sanitize_html


class PageQuerySet(TranslatableQuerySet):
    def in_footer(self):
        """Return the pages the footer links to, in their order."""
        return self.filter(in_footer=True).order_by("position", "title", "pk")


class Page(Translatable):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        help_text=_(
            "The end of the page's address, as in /pages/about/. One page per address in each "
            "language: a translation may keep its original's."
        ),
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
        constraints = [
            models.UniqueConstraint(fields=["language", "slug"], name="page_slug_per_language"),
            models.UniqueConstraint(
                fields=["translation_key", "language"], name="page_one_per_language"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Whoever wrote it and however it got here (admin, shell, import), the body keeps
        # only the HTML the stories' allowlist keeps.
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("pages:detail", kwargs={"slug": self.slug})
