from datetime import timedelta

from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "worker"
    verbose_name = "Background worker"

    def ready(self):
        from worker import supervision, tasks

        supervision.register_periodic(tasks.prune_finished_tasks, every=timedelta(hours=6))
