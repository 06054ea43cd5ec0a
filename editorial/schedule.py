"""Scheduling you can trust: find stories whose publishing state does not add up.

A scheduled story goes public by itself at its time (``Article.objects.published()`` is the
gate; no job runs). What can still go wrong is human: a story given a publication time but
left in review, a published story whose picture has no alt text. :func:`find_problems`
lists them; ``manage.py check_schedule`` prints them for a monitor and the admin index
shows their number.

Checks, each with a severity:

- ``missed`` (critical): a draft or story in review whose publication time was set on
  purpose (later than the story was created) and passed within ``LOOKBACK`` — it was meant
  to go out and did not.
- ``due_soon`` (warning): the same, due within ``SOON`` — it will not go out unless someone
  publishes it.
- ``no_alt`` (critical when public, warning when scheduled): a lead image without alt text.
- ``empty_body`` (critical when public, warning when scheduled): no text in the body.
- ``edit_overdue`` (critical): a scheduled edit still waiting ``EDIT_GRACE`` after its time —
  the worker that applies them is not running, or failed.
- ``edit_offline`` (warning): a scheduled edit waiting on a story that is not public (taken
  down or expired since): it will change a story readers cannot see.

:func:`upcoming` is the other half: what will change by itself, and when — stories going
up, stories coming down at their "unpublish at", and scheduled edits going live.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from articles.models import Article, ScheduledEdit, expired_at
from serving.dates import admin_datetime

LOOKBACK = timedelta(days=7)
SOON = timedelta(hours=1)
# A time chosen by a person, not the default stamped when the story was created.
DELIBERATE = timedelta(minutes=5)
# Bodies this short are read to see whether they hold any text at all.
SHORT_BODY = 200
# A scheduled edit is applied by the worker within a minute of its time; this late, not at all.
EDIT_GRACE = timedelta(minutes=5)

CRITICAL = "critical"
WARNING = "warning"


class ByteLength(Func):
    """The stored size of a text column in bytes.

    PostgreSQL answers OCTET_LENGTH from the value's header without decompressing it, so
    checking every published body stays cheap at 100,000 stories (LENGTH would read them all).
    """

    function = "OCTET_LENGTH"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="LENGTH(CAST(%(expressions)s AS BLOB))", **extra_context
        )


@dataclass
class Problem:
    code: str
    severity: str
    article: Article
    message: str

    @property
    def admin_url(self) -> str:
        return reverse("admin:articles_article_change", args=[self.article.pk])


def local(moment) -> str:
    """Return *moment* as the admin writes times (the schedule check's page, the index)."""
    return admin_datetime(moment)


def find_problems(*, now=None) -> list[Problem]:
    """Return every inconsistency in the stories' publishing state, the most urgent first.

    Two queries: one on the (status, publish_at) index for missed schedules, one pass over
    the published stories for alt text and empty bodies.
    """
    now = now or timezone.now()
    problems = [*schedule_problems(now), *content_problems(now), *edit_problems(now)]
    problems.sort(key=lambda problem: problem.severity != CRITICAL)
    return problems


def schedule_problems(now) -> list[Problem]:
    unpublished = (
        Article.objects.filter(
            Q(publish_at__gt=F("created_at") + DELIBERATE),
            status__in=(Article.Status.DRAFT, Article.Status.REVIEW),
            publish_at__gt=now - LOOKBACK,
            publish_at__lte=now + SOON,
        )
        .only("pk", "title", "status", "publish_at")
        .order_by("publish_at")
    )
    problems = []
    for article in unpublished:
        values = {
            "time": local(article.publish_at),
            "state": article.get_status_display().lower(),
        }
        if article.publish_at <= now:
            message = _("was due at %(time)s but is still %(state)s") % values
            problems.append(Problem("missed", CRITICAL, article, message))
        else:
            message = (
                _("is due at %(time)s but is still %(state)s: it will not go out by itself")
                % values
            )
            problems.append(Problem("due_soon", WARNING, article, message))
    return problems


def content_problems(now) -> list[Problem]:
    missing_alt = Q(lead_image__isnull=False, lead_image__alt_text="")
    candidates = (
        Article.objects.filter(status=Article.Status.PUBLISHED)
        # Come down at its "unpublish at": readers no longer see it, nobody need be woken.
        .exclude(expired_at(now))
        .annotate(body_bytes=ByteLength("body"))
        .filter(missing_alt | Q(body_bytes__lt=SHORT_BODY))
        .select_related("lead_image")
        .only("pk", "title", "status", "publish_at", "lead_image__alt_text", "body")
        .order_by("publish_at")
    )
    problems = []
    for article in candidates:
        public = article.publish_at <= now
        severity = CRITICAL if public else WARNING
        when = {"time": local(article.publish_at)}
        if article.lead_image and not article.lead_image.alt_text.strip():
            if public:
                message = _("has a lead image without alt text")
            else:
                message = _("is scheduled for %(time)s with a lead image without alt text") % when
            problems.append(Problem("no_alt", severity, article, message))
        if article.body_bytes < SHORT_BODY and not strip_tags(article.body).strip():
            if public:
                message = _("is published with an empty body")
            else:
                message = _("is scheduled for %(time)s with an empty body") % when
            problems.append(Problem("empty_body", severity, article, message))
    return problems


def edit_problems(now) -> list[Problem]:
    waiting = (
        ScheduledEdit.objects.pending()
        .filter(Q(apply_at__lte=now - EDIT_GRACE) | ~Q(article__in=Article.objects.published()))
        .select_related("article")
        .only("apply_at", "article__id", "article__title")
    )
    problems = []
    for edit in waiting:
        when = {"time": local(edit.apply_at)}
        if edit.apply_at <= now - EDIT_GRACE:
            message = _("has an edit due at %(time)s still waiting: is the worker running?") % when
            problems.append(Problem("edit_overdue", CRITICAL, edit.article, message))
        else:
            message = _("is not public, but has an edit scheduled for %(time)s") % when
            problems.append(Problem("edit_offline", WARNING, edit.article, message))
    return problems


class Change:
    """What happens to a story by itself at its next moment (``upcoming()``'s ``next_change``)."""

    GOES_UP = "up"
    COMES_DOWN = "down"
    EDIT = "edit"


def upcoming(*, now=None):
    """Return the stories that will change by themselves, the soonest first.

    Each is annotated with ``next_change_at`` and ``next_change`` (a :class:`Change`): it goes
    up at its publication time, comes down at its "unpublish at", or a scheduled edit goes
    live. One query.
    """
    now = now or timezone.now()
    pending = ScheduledEdit.objects.pending().filter(article=OuterRef("pk"))
    next_edit = pending.order_by("apply_at").values("apply_at")[:1]
    comes_down_first = Q(unpublish_at__gt=now) & (
        Q(next_edit_at__isnull=True) | Q(unpublish_at__lte=F("next_edit_at"))
    )
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED)
        .annotate(next_edit_at=next_edit, has_edit=Exists(pending))
        .filter(Q(publish_at__gt=now) | Q(unpublish_at__gt=now) | Q(has_edit=True))
        .annotate(
            next_change_at=Case(
                When(publish_at__gt=now, then=F("publish_at")),
                When(comes_down_first, then=F("unpublish_at")),
                default=F("next_edit_at"),
                output_field=DateTimeField(),
            ),
            next_change=Case(
                When(publish_at__gt=now, then=Value(Change.GOES_UP)),
                When(comes_down_first, then=Value(Change.COMES_DOWN)),
                default=Value(Change.EDIT),
                output_field=CharField(),
            ),
        )
        .order_by("next_change_at", "pk")
    )
