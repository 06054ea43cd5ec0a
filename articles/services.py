"""Moving stories through the newsroom: send to review, publish, unpublish.

The admin's change form, its bulk actions and any later view call these functions, so the
rules live in one place:

- Publishing and unpublishing need ``articles.publish_article`` (Editors); without it they
  raise ``PermissionDenied``.
- Publishing a story that is not public yet stamps it with the current time, unless it is
  scheduled for later: a draft written last week goes to the top of the lists, not down
  among last week's stories. A future ``publish_at`` stays and schedules the story.
- Sending a published story back to review takes it off the site, so that also needs the
  publish permission; for anyone else the queryset version skips published stories.
- Stories that go to review send ``stories_sent_to_review`` (``articles.signals``) in the
  transaction, so that the editors are told; an editor may send a story in review back to
  its authors (``article_send_back()``, a draft again), the note being the editorial app's.

The queryset versions change all rows with one UPDATE and then write one history version
per story in one INSERT (``QuerySet.update()`` sends no signals). They return the number
of stories changed.

Every change moves the story's ``version`` on (so an editor with the story open cannot
overwrite it unawares) and writes an audit entry (``audit.log``), one INSERT for a bulk
change.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles import page_changes
from articles.history import record_versions
from articles.models import Article
from articles.signals import stories_bulk_updated, stories_sent_to_review
from audit import log

PUBLISH_PERMISSION = "articles.publish_article"

User = AbstractBaseUser | AnonymousUser


def status_action(status: str, publish_at, *, now=None) -> str:
    """Return the audit action a story reaching *status* counts as (published may be scheduled)."""
    if status == Article.Status.PUBLISHED:
        if publish_at > (now or timezone.now()):
            return log.Action.SCHEDULED
        return log.Action.PUBLISHED
    if status == Article.Status.REVIEW:
        return log.Action.SENT_TO_REVIEW
    return log.Action.UNPUBLISHED


def can_publish(user: User) -> bool:
    """Return whether *user* may publish and unpublish stories."""
    return user.has_perm(PUBLISH_PERMISSION)


def article_publish(*, article: Article, by: User) -> Article:
    """Publish *article* (now, or at its future ``publish_at``)."""
    _require_publish_permission(by)
    if article.status != Article.Status.PUBLISHED:
        article.publish_at = max(article.publish_at, timezone.now())
    return _set_status(article, Article.Status.PUBLISHED, by=by, reason=_("Published"))


def article_unpublish(*, article: Article, by: User) -> Article:
    """Take *article* off the site: it goes back to draft."""
    _require_publish_permission(by)
    return _set_status(article, Article.Status.DRAFT, by=by, reason=_("Unpublished"))


def article_send_to_review(*, article: Article, by: User) -> Article:
    """Put *article* in the review queue for an editor."""
    if article.status == Article.Status.PUBLISHED:
        _require_publish_permission(by)
    return _set_status(article, Article.Status.REVIEW, by=by, reason=_("Sent to review"))


def article_send_back(*, article: Article, by: User, details: dict | None = None) -> Article:
    """Return *article* from review to its authors: it is a draft again (editors only).

    Audited as "sent back", with *details* (the editorial app passes its note's id). Raise
    ``ValueError`` for a story that is not in review.
    """
    _require_publish_permission(by)
    if article.status != Article.Status.REVIEW:
        raise ValueError("Only a story in review can be sent back.")
    return _set_status(
        article,
        Article.Status.DRAFT,
        by=by,
        reason=_("Sent back to the author"),
        action=log.Action.SENT_BACK,
        details=details,
    )


def articles_publish(*, queryset: QuerySet[Article], by: User) -> int:
    """Publish every story of *queryset* that is not published yet; return how many.

    A story whose "unpublish at" has passed is left as it is: published, it would be gone
    at once (its editor sets a later time, or none, on its page).
    """
    _require_publish_permission(by)
    now = timezone.now()
    return _bulk_set_status(
        queryset.exclude(status=Article.Status.PUBLISHED).exclude(unpublish_at__lte=now),
        by=by,
        reason=_("Published"),
        status=Article.Status.PUBLISHED,
        publish_at=Greatest("publish_at", Value(now)),
    )


def articles_unpublish(*, queryset: QuerySet[Article], by: User) -> int:
    """Put every published story of *queryset* back to draft; return how many."""
    _require_publish_permission(by)
    return _bulk_set_status(
        queryset.filter(status=Article.Status.PUBLISHED),
        by=by,
        reason=_("Unpublished"),
        status=Article.Status.DRAFT,
    )


def articles_send_to_review(*, queryset: QuerySet[Article], by: User) -> int:
    """Send the stories of *queryset* to review; return how many changed.

    Drafts always; published stories only when *by* may unpublish.
    """
    allowed = [Article.Status.DRAFT]
    if can_publish(by):
        allowed.append(Article.Status.PUBLISHED)
    return _bulk_set_status(
        queryset.filter(status__in=allowed),
        by=by,
        reason=_("Sent to review"),
        status=Article.Status.REVIEW,
    )


def _require_publish_permission(user: User) -> None:
    if not can_publish(user):
        raise PermissionDenied(_("Only editors can publish or unpublish stories."))


def _set_status(
    article: Article, status: str, *, by: User, reason, action=None, details=None
) -> Article:
    went_to_review = status == Article.Status.REVIEW and article.status != status
    article.status = status
    # Read by django-simple-history for the version this save writes.
    article._history_user = by if by.is_authenticated else None
    article._change_reason = str(reason)
    with transaction.atomic():
        # Article.save() adds "version" to the fields written.
        article.save(update_fields=["status", "publish_at", "updated_at"])
        log.record(
            action or status_action(status, article.publish_at),
            actor=by,
            story=article,
            obj=article,
            details=details,
        )
        if went_to_review:
            stories_sent_to_review.send(sender=Article, article_ids={article.pk}, by=by)
    return article


def _bulk_set_status(queryset: QuerySet[Article], *, by: User, reason, **changes) -> int:
    with transaction.atomic():
        # The admin's queryset may be DISTINCT (an author's own stories), which UPDATE
        # cannot take: pin the rows by primary key first.
        pks = list(queryset.values_list("pk", flat=True))
        if not pks:
            return 0
        went_offline = Article.objects.published().filter(pk__in=pks).exists() and (
            changes.get("status") != Article.Status.PUBLISHED
        )
        now = timezone.now()
        changed = Article.objects.filter(pk__in=pks).update(
            **changes, updated_at=now, version=F("version") + 1
        )
        articles = list(Article.objects.filter(pk__in=pks).prefetch_related("authors", "tags"))
        record_versions(articles, by=by if by.is_authenticated else None, reason=str(reason))
        log.record_many(
            log.entry(
                status_action(article.status, article.publish_at, now=now),
                actor=by,
                story=article,
                obj=article,
                details={"bulk": True},
                at=now,
            )
            for article in articles
        )
        # One UPDATE sends no post_save, so the page cache is told here.
        page_changes.stories_changed(
            Article.objects.published()
            .filter(pk__in=pks)
            .select_related("region", "rubric")
            .prefetch_related("authors", "tags"),
            went_offline=went_offline,
        )
        stories_bulk_updated.send(sender=Article, article_ids=set(pks))
        if changes.get("status") == Article.Status.REVIEW:
            stories_sent_to_review.send(sender=Article, article_ids=set(pks), by=by)
    return changed
