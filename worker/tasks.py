"""The worker's own housekeeping, as periodic tasks (registered in WorkerConfig.ready())."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult


@task()
def prune_finished_tasks() -> int:
    """Delete finished tasks older than ``WORKER_KEEP_FINISHED_DAYS``; return how many.

    Failed ones are kept as long, for whoever looks into a failure in the admin.
    """
    cutoff = timezone.now() - timedelta(days=settings.WORKER_KEEP_FINISHED_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
