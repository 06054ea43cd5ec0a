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
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F, Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from articles.models import Article

LOOKBACK = timedelta(days=7)
SOON = timedelta(hours=1)
# A time chosen by a person, not the default stamped when the story was created.
DELIBERATE = timedelta(minutes=5)
# Bodies this short are read to see whether they hold any text at all.
SHORT_BODY = 200

CRITICAL = "critical"
WARNING = "warning"


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
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def find_problems(*, now=None) -> list[Problem]:
    """Return every inconsistency in the stories' publishing state, the most urgent first."""
    now = now or timezone.now()
    stories = Article.objects.only(
        "pk", "title", "status", "publish_at", "created_at", "lead_image", "lead_image_alt"
    )
    problems = []
    unpublished = stories.filter(
        Q(publish_at__gt=F("created_at") + DELIBERATE),
        status__in=(Article.Status.DRAFT, Article.Status.REVIEW),
        publish_at__gt=now - LOOKBACK,
        publish_at__lte=now + SOON,
    ).order_by("publish_at")
    for article in unpublished:
        state = article.get_status_display().lower()
        if article.publish_at <= now:
            problems.append(
                Problem(
                    "missed",
                    CRITICAL,
                    article,
                    _("was due at %(time)s but is still %(state)s")
                    % {
                        "time": local(article.publish_at),
                        "state": state,
                    },
                )
            )
        else:
            problems.append(
                Problem(
                    "due_soon",
                    WARNING,
                    article,
                    _("is due at %(time)s but is still %(state)s: it will not go out by itself")
                    % {"time": local(article.publish_at), "state": state},
                )
            )
    published = stories.filter(status=Article.Status.PUBLISHED)
    no_alt = published.exclude(lead_image="").filter(
        Q(lead_image_alt="") | Q(lead_image_alt__isnull=True)
    )
    for article in no_alt.order_by("publish_at"):
        problems.append(
            Problem(
                "no_alt",
                CRITICAL if article.publish_at <= now else WARNING,
                article,
                _("has a lead image without alt text")
                if article.publish_at <= now
                else _("is scheduled for %(time)s with a lead image without alt text")
                % {"time": local(article.publish_at)},
            )
        )
    short = (
        published.annotate(body_length=Length("body"))
        .filter(body_length__lt=SHORT_BODY)
        .only("pk", "title", "status", "publish_at", "body")
        .order_by("publish_at")
    )
    for article in short:
        if strip_tags(article.body).strip():
            continue
        problems.append(
            Problem(
                "empty_body",
                CRITICAL if article.publish_at <= now else WARNING,
                article,
                _("is published with an empty body")
                if article.publish_at <= now
                else _("is scheduled for %(time)s with an empty body")
                % {"time": local(article.publish_at)},
            )
        )
    problems.sort(key=lambda problem: problem.severity != CRITICAL)
    return problems


def upcoming(*, now=None):
    """Return the scheduled stories, soonest first."""
    now = now or timezone.now()
    return Article.objects.filter(status=Article.Status.PUBLISHED, publish_at__gt=now).order_by(
        "publish_at", "pk"
    )
