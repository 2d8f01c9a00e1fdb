"""Queueing an import for a Celery worker: an ImportJob row, handed to a task once it is committed.

The worker runs it through movies/importing.py (which `manage.py import_movielens` and `import_wikipedia` also
call in the foreground).
"""
from django.utils import timezone

from movies.models import ImportJob
from movies.tasks import run_import_job
from work.queue import enqueue_on_commit


def queue_import(*, source: str, kind: str = ImportJob.Kind.MOVIELENS, user=None, options=None) -> ImportJob:
    """Create a queued job and hand it to a worker once the job row is committed.

    A Wikipedia job's source is its SOURCEs, one a line. Raises work.queue.QueueUnavailable
    (and ends the job failed) if the broker is down.
    """
    job = ImportJob.objects.create(kind=kind, source=source, created_by=user, options=options or {})
    enqueue_on_commit(run_import_job, job.pk, what="the import",
                      on_failure=lambda message: job.record(using="progress", status=ImportJob.Status.FAILED,
                                                            error=message, finished_at=timezone.now()))
    return job
