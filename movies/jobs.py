"""Import jobs: queue an import for a Celery worker, or run one, keeping its ImportJob row current.

The job row is the single place that says how an import is going. Its progress is written
through the separate "progress" database connection, so the admin sees it while the import's
own transaction is still open.
"""
import logging

from django.db import connection, transaction
from django.utils import timezone

from movies.importers.errors import ImportFailed
from movies.importers.movielens import import_movielens
from movies.importers.progress import Progress, throttled
from movies.models import ImportJob

logger = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 0.5


def queue_import(*, source: str, kind: str = ImportJob.Kind.MOVIELENS, user=None) -> ImportJob:
    """Create a queued job and hand it to a worker once the job row is committed."""
    from movies.tasks import run_import_job

    job = ImportJob.objects.create(kind=kind, source=source, created_by=user)
    transaction.on_commit(lambda: run_import_job.delay(job.pk))
    return job


def run_import(job_id: int, *, listeners=()) -> ImportJob:
    """Run a job's import now, in this process. The job ends succeeded or failed, never running."""
    job = ImportJob.objects.get(pk=job_id)
    _save(job, status=ImportJob.Status.RUNNING, started_at=timezone.now(), error="", stage="starting")
    progress = Progress(throttled(lambda stage, fraction: _report(job, stage, fraction), PROGRESS_EVERY_SECONDS),
                        *listeners)
    try:
        if job.kind != ImportJob.Kind.MOVIELENS:
            raise ImportFailed(f"no importer for {job.kind} yet")
        counts = import_movielens(job.source, progress=progress)
    except ImportFailed as error:
        _save(job, status=ImportJob.Status.FAILED, error=str(error), finished_at=timezone.now())
    except BaseException as error:  # a bug, a lost database, a worker shutdown: still end the job
        logger.exception("import job %s crashed", job.pk)
        _save(job, status=ImportJob.Status.FAILED, finished_at=timezone.now(),
              error=f"unexpected error: {type(error).__name__}: {error}")
        if not isinstance(error, Exception):
            raise
    else:
        _save(job, status=ImportJob.Status.SUCCEEDED, counts=counts, progress=1.0, stage="done",
              finished_at=timezone.now())
    return job


def _report(job: ImportJob, stage: str, fraction: float) -> None:
    # SQLite has one writer at a time: the import's transaction holds it, so progress waits.
    if connection.vendor == "sqlite" and connection.in_atomic_block:
        return
    _save(job, stage=stage, progress=round(fraction, 4))


def _save(job: ImportJob, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.using("progress").filter(pk=job.pk).update(**fields)
