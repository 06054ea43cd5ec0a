from datetime import datetime

from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from articles.models import Article


class StoryReadsQuerySet(models.QuerySet):
    def since(self, moment: datetime):
        """Return the hours that began after *moment*: since 24 hours ago, the last 24 hours,
        the current one included."""
        return self.filter(hour__gt=moment)

    def figures_for(self, story_id: int, since: datetime) -> dict:
        """Return ``{"recent": …, "total": …}``: the reads of one story since *since* (as in
        :meth:`since`), and ever.

        One query, answered from the (story, hour) unique index.
        """
        figures = self.filter(story_id=story_id).aggregate(
            total=Sum("count"), recent=Sum("count", filter=Q(hour__gt=since))
        )
        return {name: value or 0 for name, value in figures.items()}


class StoryReads(models.Model):
    """How many readers read a story in one hour: a number, nothing about who they were.

    Rows are written in bulk by the worker from the counts kept in the shared cache
    (``readership.counting``); a story with no reader in an hour has no row for it.
    """

    story = models.ForeignKey(
        Article, verbose_name=_("story"), on_delete=models.CASCADE, related_name="reads"
    )
    hour = models.DateTimeField(_("hour"), help_text=_("The start of the hour, in UTC."))
    count = models.PositiveIntegerField(_("reads"), default=0)

    objects = StoryReadsQuerySet.as_manager()

    class Meta:
        verbose_name = _("story reads")
        verbose_name_plural = _("story reads")
        constraints = [
            models.UniqueConstraint(fields=["story", "hour"], name="story_reads_once_per_hour")
        ]
        # "Most read": the last day's hours of every story, summed per story, read from the
        # index alone on PostgreSQL.
        indexes = [models.Index(fields=["hour", "story"], include=["count"], name="reads_by_hour")]

    def __str__(self):
        return f"{self.story_id} @ {self.hour:%Y-%m-%d %H:00}: {self.count}"
