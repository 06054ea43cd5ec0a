"""Story events: ``story.published``, ``story.updated`` and ``story.unpublished``.

A story is public when the published gate says so (``Article.objects.published()``): its
status is published and its time has come. Nothing is written when a scheduled story's time
comes, so events cannot hang on saves alone. Instead, :class:`~webhooks.models.StoryState`
keeps what the endpoints were last told about each story (public or not, and a digest of
what readers see), and :func:`sync_story` compares that with the story as it is now:

- not told public, public now: ``story.published``;
- told public, public now, what readers see changed: ``story.updated`` (naming the parts);
- told public, not public now: ``story.unpublished`` (withdrawn, rescheduled or deleted).

It runs as a task (:func:`sync`), queued in the transaction of every change to a story
(``webhooks.receivers``: saves, deletions, authors and tags, the bulk publishing actions), and
queued again for a scheduled story's publication time: at that time it finds the story
public and tells it. Saved again and again, rescheduled, or withdrawn before its time, a
story is still told exactly once per publication: the look at the old time finds it not
public yet, or not at all, and only the change of state, taken under the state's row lock,
makes an event, whose key (the story and the state's count of events) is unique. A story
that is public for a moment between two looks is never announced; nothing it had to say is
lost, as a consumer asking the API would not find it either. Likewise a story unpublished and
republished between two looks is one ``story.updated`` (if what readers see changed) or
nothing.

:func:`sweep` runs every ``WEBHOOK_SWEEP_SECONDS`` (a periodic job) for stories whose time
came with no look queued: scheduled before this app existed, or published by a write that
sent no signal.
"""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import task

from articles.models import Article
from webhooks import payloads
from webhooks.delivery import emit
from webhooks.models import EventType, StoryState

# What readers see of a story, by the names the payload's "changes" gives them.
READER_FIELDS = {
    "title": "title",
    "slug": "slug",
    "teaser": "teaser",
    "body": "body",
    "region": "region_id",
    "rubric": "rubric_id",
    "lead_image": "lead_image_id",
    "published_at": "publish_at",
    "revised_at": "revised_at",
}
# How far back the sweep looks for stories whose time came: longer than any pause of the
# workers it is meant to cover, short enough to stay a small index range.
SWEEP_LOOKBACK = timedelta(days=1)


def digest_value(value) -> str:
    return hashlib.sha256(json.dumps(value, default=str).encode()).hexdigest()[:16]


def corrections_value(corrections) -> list[list[str]]:
    """Return what readers see of a story's corrections: each one's time and text, in order.

    (The migration that brought corrections, ``webhooks/migrations/0006``, hashes the same.)
    """
    return [[correction.made_at.isoformat(), correction.text] for correction in corrections]


def reader_digest(article: Article) -> dict[str, str]:
    """Return a short hash of each part of *article* readers see (authors, tags and
    corrections too)."""
    values = {name: getattr(article, attribute) for name, attribute in READER_FIELDS.items()}
    values["authors"] = sorted(author.pk for author in article.byline)
    values["tags"] = sorted(tag.pk for tag in article.tag_list)
    values["corrections"] = corrections_value(article.correction_list)
    return {name: digest_value(value) for name, value in values.items()}


def changed_parts(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(
        name for name in after.keys() | before.keys() if before.get(name) != after.get(name)
    )


def sync_story(story_id: int) -> list:
    """Tell the endpoints what changed about story *story_id* since they were last told.

    Return the events recorded (none when no endpoint wants them, which still moves the
    story's state on: an endpoint added later is not told old news).
    """
    now = timezone.now()
    with transaction.atomic():
        state = StoryState.objects.select_for_update().filter(story_id=story_id).first()
        # Read after the lock: a look that waited for another sees what that one saw, or later.
        article = (
            Article.objects.with_visibility()
            .with_byline_and_tags()
            .with_corrections()
            .filter(pk=story_id)
            .first()
        )
        public = article is not None and article.is_public
        # Published, but the gate keeps it back: its time has not come.
        scheduled = (
            article is not None
            and not public
            and article.status == Article.Status.PUBLISHED
            and article.publish_at > now
        )
        # Published, and its "unpublish at" time has passed.
        expired = (
            article is not None
            and not public
            and article.status == Article.Status.PUBLISHED
            and not scheduled
        )
        if state is None:
            if not (public or scheduled):
                return []
            state = StoryState(story_id=story_id, slug=article.slug, language=article.language)
        events = []
        if public:
            digest = reader_digest(article)
            if not state.public:
                events.append(tell(state, EventType.STORY_PUBLISHED, payloads.story(article)))
                state.public = True
            elif state.digest and digest != state.digest:
                data = {**payloads.story(article), "changes": changed_parts(state.digest, digest)}
                events.append(tell(state, EventType.STORY_UPDATED, data))
            state.digest = digest
        elif state.public:
            if article is None:
                reason = "deleted"
            elif scheduled:
                reason = "rescheduled"
            elif expired:
                reason = "expired"
            else:
                reason = "withdrawn"
            language = state.language or settings.LANGUAGE_CODE
            data = payloads.story_gone(story_id, state.slug, language, reason)
            events.append(tell(state, EventType.STORY_UNPUBLISHED, data))
            state.public = False
            state.digest = {}
        if article is not None:
            state.slug, state.language = article.slug, article.language
        # The next moment the story changes by itself: it goes up, or comes down.
        moment = None
        if scheduled:
            moment = article.publish_at
        elif public and article.unpublish_at is not None:
            moment = article.unpublish_at
        if moment is not None and state.check_at != moment:
            sync.using(run_after=moment).enqueue(story_id)
            state.check_at = moment
        state.synced_at = now
        state.save()
    return [event for event in events if event is not None]


def tell(state: StoryState, event_type: str, data: dict):
    """Record the next event about *state*'s story; the key makes it once per happening."""
    state.sequence += 1
    return emit(event_type, key=f"{event_type}:{state.story_id}:{state.sequence}", data=data)


@task()
def sync(story_id: int) -> int:
    """Look at story *story_id* and tell what changed (see :func:`sync_story`)."""
    try:
        return len(sync_story(story_id))
    except IntegrityError:
        # Another worker made this story's first state row at the same moment, and told
        # what there was to tell; looking again finds its row.
        return len(sync_story(story_id))


@task()
def sweep() -> int:
    """Look at the stories that became public lately without being told; return how many."""
    now = timezone.now()
    told = StoryState.objects.filter(story_id=OuterRef("pk"), public=True)
    due = (
        Article.objects.published()
        .filter(publish_at__gt=now - SWEEP_LOOKBACK)
        .alias(told=Exists(told))
        .filter(told=False)
        .values_list("pk", flat=True)
    )
    # And those that came down at their "unpublish at" lately while told as public.
    came_down = (
        Article.objects.expired()
        .filter(unpublish_at__gt=now - SWEEP_LOOKBACK)
        .alias(told=Exists(told))
        .filter(told=True)
        .values_list("pk", flat=True)
    )
    found = [*due, *came_down]
    for story_id in found:
        sync.enqueue(story_id)
    return len(found)
