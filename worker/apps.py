from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkerConfig(AppConfig):
    name = "worker"
    verbose_name = _("Background worker")

    def ready(self):
        from serving.healthz import register_report
        from worker import health, supervision, tasks

        supervision.register_periodic(tasks.prune_finished_tasks, every=timedelta(hours=6))
        register_report("queue", health.queue_report)
