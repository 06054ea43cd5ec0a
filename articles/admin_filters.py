"""Admin list filters about stories: by story, for the lists about stories elsewhere (the review
queue), and the story list's own filters by state and by author.

Apart from ``articles.admin`` so that another app's admin can use them without importing (and
so registering) the story admin.
"""

from django.contrib import admin
from django.db import models
from django.db.models import Case, Value, When
from django.utils.translation import gettext_lazy as _

from articles.models import Article, expired_at, public_at


def is_story_id(value: str | None) -> bool:
    # isdecimal(), not isdigit(): "²" is a digit that int() refuses, which the lookup would
    # raise as a server error.
    return bool(value) and value.isdecimal()


class StoryListFilter(admin.SimpleListFilter):
    """Filter by story: a short list of likely stories, or any story by ``?<parameter>=<id>``.

    A plain related filter would offer every story of the site. Subclasses set
    ``parameter_name`` and ``story_field`` (the lookup of the story's id) and return the
    stories to offer from ``story_choices()``; a story chosen through a link (the story
    columns link here) joins them when the list has rows about it, so the sidebar shows what
    the list is filtered by.
    """

    title = _("story")
    story_field = ""

    def story_choices(self) -> list[tuple[str, str]]:
        """Return the stories to offer, as ``(str(pk), label)``."""
        raise NotImplementedError

    def story_label(self, title: str) -> str:
        return title

    def lookups(self, request, model_admin):
        choices = self.story_choices()
        selected = self.value()
        if is_story_id(selected) and selected not in {pk for pk, _label in choices}:
            # Named only when the list has rows about it, which show its title anyway: an id
            # typed by hand must not tell a moderator the title of a draft or an expired story.
            listed = model_admin.get_queryset(request).filter(**{self.story_field: selected})
            title = (
                Article.objects.filter(pk=selected, pk__in=listed.values(self.story_field))
                .values_list("title", flat=True)
                .first()
            )
            if title is not None:
                choices.insert(0, (selected, self.story_label(title)))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not is_story_id(value):
            return queryset.none()
        return queryset.filter(**{self.story_field: value})


class State(models.TextChoices):
    """Where a story stands for readers: its status, and for a published one, its times."""

    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    EXPIRED = "expired", _("Expired")


def story_state(article, now) -> State:
    """Return the state of *article* at *now*, from its ``is_public`` annotation and fields.

    ``is_public`` (``with_visibility()``) answers the one public rule for the whole list in its
    query; a published story it leaves out is expired once its "unpublish at" has passed,
    scheduled until its time comes otherwise (as ``expired()`` and ``scheduled()`` say).
    """
    if article.status == Article.Status.DRAFT:
        return State.DRAFT
    if article.status == Article.Status.REVIEW:
        return State.REVIEW
    is_public = getattr(article, "is_public", None)
    if is_public is None:
        is_public = article.is_published()
    if is_public:
        return State.PUBLISHED
    if article.unpublish_at is not None and article.unpublish_at <= now:
        return State.EXPIRED
    return State.SCHEDULED


def state_order(moment) -> Case:
    """Return an expression that sorts stories by their state at *moment*: drafts first,
    expired ones last."""
    return Case(
        When(status=Article.Status.DRAFT, then=Value(0)),
        When(status=Article.Status.REVIEW, then=Value(1)),
        When(public_at(moment), then=Value(3)),
        When(expired_at(moment), then=Value(4)),
        # Published, neither public nor expired: scheduled.
        default=Value(2),
    )


class StoryStateFilter(admin.SimpleListFilter):
    """Filter the story list by state, through the QuerySet's own rules for each."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            (State.DRAFT, State.DRAFT.label),
            (State.REVIEW, State.REVIEW.label),
            (State.SCHEDULED, State.SCHEDULED.label),
            (State.PUBLISHED, _("Published (live now)")),
            (State.EXPIRED, State.EXPIRED.label),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == State.DRAFT:
            return queryset.filter(status=Article.Status.DRAFT)
        if value == State.REVIEW:
            return queryset.filter(status=Article.Status.REVIEW)
        if value == State.SCHEDULED:
            return queryset.scheduled()
        if value == State.PUBLISHED:
            return queryset.published()
        if value == State.EXPIRED:
            return queryset.expired()
        # A hand-made address with another value: nothing matches it.
        return queryset.none()


class AuthorFilter(admin.RelatedOnlyFieldListFilter):
    """Filter by credited author, offering only the authors of the stories the user may see
    (an author sees their own stories' bylines; "–" finds stories with no byline)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("author")
