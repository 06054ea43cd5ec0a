"""The short story lists around a page: a story's neighbours, "More from <region>", "Latest".

They appear on every story page (and "Latest" on every reader page), so each is a
:class:`~newsroom.compiled.CompiledQuery`: written with the same QuerySet methods as the rest
of the site, the published gate included, but built and compiled once per process. On an
uncached story page at 100,000 stories the three took about 5 ms of the ORM's time per
request; compiled, about 1.5 ms. Rows become ``Article`` objects with their rubric attached
and every other column deferred, so templates use them as they would a QuerySet's.
"""

from types import SimpleNamespace

from django.db.models import BigIntegerField, DateTimeField
from django.utils import timezone

from articles.models import Article, Rubric, previous_and_following
from newsroom.compiled import CompiledQuery, Param, field_order, instances

# Neighbour links and "Latest" show rubric, title and time; teasers add lede and picture.
LINK_COLUMNS = field_order(Article, {"id", "title", "slug", "publish_at", "rubric_id"})
TEASER_COLUMNS = field_order(
    Article,
    {
        *LINK_COLUMNS,
        "teaser",
        "lead_image",
        "lead_image_width",
        "lead_image_height",
        "lead_image_alt",
        "lead_image_renditions",
    },
)
RUBRIC_COLUMNS = ("rubric__name", "rubric__slug")
RUBRIC_FIELDS = field_order(Rubric, {"id", "name", "slug"})


def _now() -> Param:
    return Param("now", DateTimeField())


def _story() -> Param:
    return Param("story", BigIntegerField())


def _published():
    return Article.objects.published(at=_now())


NEIGHBOURS = CompiledQuery(
    lambda: (
        _published()
        .neighbours(SimpleNamespace(publish_at=Param("publish_at", DateTimeField()), pk=_story()))
        .values_list(*LINK_COLUMNS, *RUBRIC_COLUMNS)
    )
)

MORE_FROM_REGION_COUNT = 4
MORE_FROM_REGION = CompiledQuery(
    lambda: (
        _published()
        .filter(region=Param("region", BigIntegerField()))
        .exclude(pk=_story())
        .newest_first()
        .values_list(*TEASER_COLUMNS, *RUBRIC_COLUMNS)[:MORE_FROM_REGION_COUNT]
    )
)

_latest: dict[tuple[int, bool], CompiledQuery] = {}


def neighbours(article) -> tuple[Article | None, Article | None]:
    """Return the published stories just before and just after *article*."""
    rows = NEIGHBOURS.rows(now=timezone.now(), publish_at=article.publish_at, story=article.pk)
    return previous_and_following(article, _stories(rows, LINK_COLUMNS))


def more_from_region(article) -> list[Article]:
    """Return the newest published stories of *article*'s region, *article* left out."""
    rows = MORE_FROM_REGION.rows(now=timezone.now(), region=article.region_id, story=article.pk)
    return _stories(rows, TEASER_COLUMNS)


def latest(count: int, exclude=None) -> list[Article]:
    """Return the *count* newest published stories, leaving out *exclude* if given."""
    query = _latest.get((count, exclude is not None))
    if query is None:
        query = _latest[count, exclude is not None] = _latest_query(count, exclude is not None)
    values = {"now": timezone.now()}
    if exclude is not None:
        values["story"] = exclude.pk
    return _stories(query.rows(**values), LINK_COLUMNS)


def _latest_query(count: int, excluding: bool) -> CompiledQuery:
    def build():
        stories = _published()
        if excluding:
            stories = stories.exclude(pk=_story())
        return stories.newest_first().values_list(*LINK_COLUMNS, *RUBRIC_COLUMNS)[:count]

    return CompiledQuery(build)


def _stories(rows, columns) -> list[Article]:
    """Make Articles (other columns deferred) with their rubrics from *rows*."""
    count = len(columns)
    rubric_at = columns.index("rubric_id")
    stories = instances(Article, columns, [row[:count] for row in rows])
    rubrics = instances(Rubric, RUBRIC_FIELDS, [(row[rubric_at], *row[count:]) for row in rows])
    for story, rubric in zip(stories, rubrics, strict=True):
        story.rubric = rubric
    return stories
