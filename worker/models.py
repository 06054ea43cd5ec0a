from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerProcess(models.Model):
    """A running ``manage.py worker`` process, as last heard of.

    Each worker writes its row every few seconds. A task left running by a worker whose row
    has gone quiet was cut off (a kill, a crash, a lost machine) and is queued again.
    """

    worker_id = models.CharField(_("worker id"), max_length=64, unique=True)
    hostname = models.CharField(_("hostname"), max_length=255)
    pid = models.PositiveIntegerField(_("pid"))
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("seen at"), db_index=True)

    class Meta:
        verbose_name = _("worker process")
        verbose_name_plural = _("worker processes")

    def __str__(self):
        return f"{self.hostname}:{self.pid}"


class PeriodicJob(models.Model):
    """When a periodic job (worker.supervision.register_periodic) was last enqueued."""

    name = models.CharField(max_length=255, unique=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.name
