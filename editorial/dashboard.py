"""The editorial desk on the admin index: each person's stories, and the editors' queue.

:func:`story_desk` builds everything the dashboard shows in a fixed number of queries,
however many stories there are:

- **My stories**, for whoever writes (stories they created or are credited on): drafts, sent
  back (with the editor's note), in review, scheduled and published, the latest few of each
  with their counts.
- For editors (who may publish): **Waiting for review**, oldest first with how long each has
  waited and who sent it, and the stories **recently sent back**.

When a story went to review, and who sent it, is read from the audit log (its latest "sent
to review" entry, which every way of sending writes); a story with no such entry counts from
its last edit.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article, expired_at, public_at
from articles.services import can_publish
from audit.models import AuditEntry
from editorial.models import StoryNote

# How many stories each shelf of "My stories" lists; its count says how many there are.
SHELF_LENGTH = 5
QUEUE_LENGTH = 25
RECENTLY_SENT_BACK = 5
# Columns the dashboard reads: never the body.
LISTED = ("pk", "title", "status", "publish_at", "updated_at")


@dataclass
class Shelf:
    key: str
    label: str
    count: int = 0
    stories: list = field(default_factory=list)
    changelist_url: str = ""


@dataclass
class Desk:
    shelves: list[Shelf] = field(default_factory=list)
    queue: list = field(default_factory=list)
    queue_count: int = 0
    sent_back: list = field(default_factory=list)
    is_editor: bool = False

    @property
    def has_own_stories(self) -> bool:
        return any(shelf.count for shelf in self.shelves)


def own_stories(user) -> QuerySet[Article]:
    """Return the stories *user* created or is credited on (no DISTINCT needed)."""
    credited = Article.authors.through.objects.filter(author__user=user).values("article_id")
    return Article.objects.filter(Q(created_by=user) | Q(pk__in=credited))


def with_review_request(stories: QuerySet[Article]) -> QuerySet[Article]:
    """Annotate ``sent_at`` and ``sent_by``: when each story last went to review, and who sent
    it (from the audit log; the last edit when the log has no entry)."""
    entries = AuditEntry.objects.filter(
        story=OuterRef("pk"), action=AuditEntry.Action.SENT_TO_REVIEW
    ).order_by("-at", "-pk")
    return stories.annotate(
        sent_at=Coalesce(Subquery(entries.values("at")[:1]), F("updated_at")),
        sent_by=Subquery(entries.values("actor_name")[:1]),
    )


def with_send_back_note(stories: QuerySet[Article]) -> QuerySet[Article]:
    """Annotate the unresolved send-back note of each story: its text, writer and time."""
    notes = StoryNote.objects.unresolved().filter(article=OuterRef("pk")).newest_first()
    return stories.annotate(
        note_text=Subquery(notes.values("text")[:1]),
        note_by=Subquery(notes.values("author_name")[:1]),
        note_at=Subquery(notes.values("created_at")[:1]),
    )


def sent_back_rule() -> Exists:
    """Return the rule that makes a story "sent back": a draft with an unresolved note."""
    return Exists(StoryNote.objects.unresolved().filter(article=OuterRef("pk")))


def story_desk(user, *, now=None) -> Desk:
    """Return what the dashboard shows *user*: their stories, and the queue for editors."""
    now = now or timezone.now()
    desk = Desk(is_editor=can_publish(user))
    if user.has_perm("articles.add_article") or user.has_perm("articles.change_article"):
        desk.shelves = my_shelves(user, now)
    if desk.is_editor:
        waiting = Article.objects.filter(status=Article.Status.REVIEW)
        desk.queue_count = waiting.count()
        if desk.queue_count:
            desk.queue = list(
                with_review_request(waiting.only(*LISTED)).order_by("sent_at", "pk")[:QUEUE_LENGTH]
            )
        desk.sent_back = list(
            StoryNote.objects.sent_back()
            .select_related("article")
            .only(
                "text",
                "author_name",
                "created_at",
                "resolved_at",
                "article__title",
                "article__status",
            )
            .newest_first()[:RECENTLY_SENT_BACK]
        )
    return desk


def my_shelves(user, now) -> list[Shelf]:
    mine = own_stories(user)
    draft = Q(status=Article.Status.DRAFT)
    scheduled = Q(status=Article.Status.PUBLISHED) & ~public_at(now) & ~expired_at(now)
    rules = {
        "sent_back": draft & Q(sent_back_rule()),
        "draft": draft & ~Q(sent_back_rule()),
        "review": Q(status=Article.Status.REVIEW),
        "scheduled": scheduled,
        "published": public_at(now),
    }
    counts = mine.aggregate(**{key: Count("pk", filter=rule) for key, rule in rules.items()})
    changelist = reverse("admin:articles_article_changelist")
    shelves = [
        Shelf("sent_back", _("Sent back to you")),
        Shelf("draft", _("Drafts"), changelist_url=f"{changelist}?status__exact=draft"),
        Shelf("review", _("In review"), changelist_url=f"{changelist}?status__exact=review"),
        # The list's state filter (articles.admin_filters), not the stored status: that would
        # list scheduled and expired stories under "Published" too.
        Shelf("scheduled", _("Scheduled"), changelist_url=f"{changelist}?status=scheduled"),
        Shelf("published", _("Published"), changelist_url=f"{changelist}?status=published"),
    ]
    orders = {
        "sent_back": ("-note_at", "-pk"),
        "draft": ("-updated_at", "-pk"),
        "review": ("sent_at", "pk"),
        "scheduled": ("publish_at", "pk"),
        "published": ("-publish_at", "-pk"),
    }
    for shelf in shelves:
        shelf.count = counts[shelf.key]
        if not shelf.count:
            continue
        stories = mine.filter(rules[shelf.key]).only(*LISTED)
        if shelf.key == "sent_back":
            stories = with_send_back_note(stories)
        elif shelf.key == "review":
            stories = with_review_request(stories)
        shelf.stories = list(stories.order_by(*orders[shelf.key])[:SHELF_LENGTH])
    return shelves
