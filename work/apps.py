from django.apps import AppConfig


class WorkConfig(AppConfig):
    """Background work: the job rows that Celery workers claim, keep alive and end (import jobs, training runs)."""

    name = "work"
    verbose_name = "Background work"

    def ready(self):
        from work import sweeper  # noqa: F401  (connects the sweep to Celery's worker signals)
