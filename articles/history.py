"""Story history: every saved version of a story, who saved it, when, and what changed.

django-simple-history writes a ``HistoricalArticle`` row after each save of an ``Article``;
the story admin (``SimpleHistoryAdmin``) lists the versions and reverts to one. This module
registers that history (from ``ArticlesConfig.ready()``, so ``articles/models.py`` stays
free of it) and adds what the library does not record by itself:

- The authors and tags of each version. They are relations saved *after* the story row, so
  the version written at ``post_save`` is brought up to date when they change
  (``m2m_changed``); a revert restores them through the admin form's initial values.
- Versions for bulk changes (``QuerySet.update()`` sends no signals): the publishing
  services call ``record_versions()``.

Corrections are records of their own (``Correction``, audited), not part of a version: a
revert never takes one back.

Only the fields in ``TRACKED_FIELDS`` are copied into versions. Derived columns and columns
added later by other features (a search vector, a lock version) are read from the live row
on revert, so new Article fields never silently change the history table.
"""

from collections.abc import Iterable

from django.db import models
from django.db.models.signals import m2m_changed
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import register
from simple_history.signals import pre_create_historical_record
from taggit.utils import edit_string_for_tags

from articles.models import Article

TRACKED_FIELDS = frozenset(
    {
        "id",
        "title",
        "slug",
        "rubric",
        "region",
        "teaser",
        "body",
        "lead_image",
        "status",
        "publish_at",
        "unpublish_at",
        "revised_at",
        "featured",
        "allow_reviews",
        "created_by",
        "created_at",
    }
)


class ArticleVersionRelations(models.Model):
    """Extra columns of a story version: its authors and tags at the time."""

    # [{"id": 1, "name": "…"}, …]: the ids restore the authors, the names show in the list
    # of versions even after an author profile is deleted.
    authors_snapshot = models.JSONField(_("authors"), default=list, blank=True)
    tags_snapshot = models.TextField(_("tags"), blank=True)

    class Meta:
        abstract = True

    def author_names(self) -> str:
        return ", ".join(entry["name"] for entry in self.authors_snapshot or ())

    def author_ids(self) -> list[int]:
        return [entry["id"] for entry in self.authors_snapshot or ()]


def register_article_history() -> None:
    """Attach ``Article.history`` and connect the signals that keep versions complete."""
    excluded = [
        field.name for field in Article._meta.concrete_fields if field.name not in TRACKED_FIELDS
    ]
    register(
        Article,
        bases=[ArticleVersionRelations],
        excluded_fields=excluded,
        verbose_name=_("story version"),
        verbose_name_plural=_("story versions"),
    )
    version_model = Article.history.model
    pre_create_historical_record.connect(
        _complete_version, sender=version_model, dispatch_uid="articles_version_relations"
    )
    for through in (Article.authors.through, Article.tags.through):
        m2m_changed.connect(
            _relations_changed,
            sender=through,
            dispatch_uid=f"articles_version_relations_{through._meta.label_lower}",
        )


def relations_snapshot(article) -> dict:
    """Return the authors and tags of *article* as stored in a version.

    Uses ``.all()`` so that rows fetched with ``prefetch_related("authors", "tags")`` cost no
    query.
    """
    authors = sorted(article.authors.all(), key=lambda author: (author.name, author.pk))
    return {
        "authors_snapshot": [{"id": author.pk, "name": author.name} for author in authors],
        "tags_snapshot": edit_string_for_tags(list(article.tags.all())),
    }


def refresh_latest_version(article, *, fields: Iterable[str] = ()) -> None:
    """Copy the current relations and *fields* of *article* into its newest version.

    For changes that follow the save which wrote the version: relations saved afterwards,
    columns set with an UPDATE (the demo's lead images).
    """
    version_model = type(article).history.model
    latest = (
        version_model.objects.filter(id=article.pk)
        .order_by("-history_date", "-history_id")
        .values_list("history_id", flat=True)
        .first()
    )
    if latest is None:
        return
    values = relations_snapshot(article)
    values.update({name: getattr(article, name) for name in fields})
    version_model.objects.filter(history_id=latest).update(**values)


def record_versions(articles: Iterable, *, by, reason: str) -> None:
    """Write one version per article in a single INSERT, for changes made with update().

    *articles* should come with ``prefetch_related("authors", "tags")``.
    """
    version_model = Article.history.model
    now = timezone.now()
    tracked = version_model.tracked_fields
    versions = [
        version_model(
            history_date=now,
            history_type="~",
            history_user=by,
            history_change_reason=reason,
            **{field.attname: getattr(article, field.attname) for field in tracked},
            **relations_snapshot(article),
        )
        for article in articles
    ]
    version_model.objects.bulk_create(versions)


def _complete_version(sender, instance, history_instance, **kwargs) -> None:
    # Without a reason the library stores NULL, which the History page prints as "None".
    if history_instance.history_change_reason is None:
        history_instance.history_change_reason = ""
    # A story being created has no authors or tags yet: spare the two queries.
    if history_instance.history_type == "+":
        return
    for name, value in relations_snapshot(instance).items():
        setattr(history_instance, name, value)


def _relations_changed(sender, instance, action, reverse, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    # Changes made from the other side (author.articles.add()) are not followed: the admin
    # and the services always change relations from the story.
    if reverse or not isinstance(instance, Article):
        return
    if getattr(instance, "skip_history_when_saving", False):
        return
    refresh_latest_version(instance)
