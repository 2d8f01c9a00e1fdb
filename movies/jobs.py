"""Import jobs: queue an import for a Celery worker, or run one, keeping its ImportJob row current.

The job row is the single place that says how an import is going. Its progress is written
through the separate "progress" database connection, so the admin sees it while the import's
own transaction is still open.

A Wikipedia import queued for workers fans out: the first task plans the parts (ImportPart rows)
and queues one task per part; each part writes its results under DATA_DIR; the last part to
finish, seen under a lock on the job row, queues the final step. No result backend is needed.

While a worker works on a job it stamps the job's heartbeat; a job whose worker died is ended
failed by the sweep of recsite/recovery.py (its transaction was rolled back with its connection),
and a redelivered task finds the job no longer queued. A fanned-out job waiting in the queue
between its tasks has no heartbeat, so waiting is never taken for dying.
"""
import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from movies.importers.errors import ImportFailed
from movies.importers.movielens import import_movielens
from movies.importers.progress import Progress, throttled
from movies.importers.wikipedia import importer as wikipedia
from movies.importers.wikipedia.dump import Part
from movies.importers.wikipedia.parse import parse_part
from movies.importers.wikipedia.store import finish
from movies.models import ImportJob, ImportPart
from recsite import recovery
from recsite.queue import enqueue_on_commit

logger = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 0.5


def queue_import(*, source: str, kind: str = ImportJob.Kind.MOVIELENS, user=None, options=None) -> ImportJob:
    """Create a queued job and hand it to a worker once the job row is committed.

    A Wikipedia job's source is its SOURCEs, one a line. Raises recsite.queue.QueueUnavailable
    (and ends the job failed) if the broker is down.
    """
    from movies.tasks import run_import_job

    job = ImportJob.objects.create(kind=kind, source=source, created_by=user, options=options or {})
    enqueue_on_commit(run_import_job, job.pk, what="the import",
                      on_failure=lambda message: _save(job, status=ImportJob.Status.FAILED, error=message,
                                                       finished_at=timezone.now()))
    return job


def work_dir(job: ImportJob) -> Path:
    """Where the parts of a job write their results."""
    return Path(settings.DATA_DIR) / "imports" / f"job-{job.pk}"


def run_import(job_id: int, *, listeners=(), fan_out: bool = False) -> ImportJob:
    """Run a job's import now, in this process. The job ends succeeded or failed, never running;
    except with `fan_out` for a Wikipedia job, which then continues in one task per part.
    Only a queued job runs: a task redelivered after its worker died leaves its job as it is."""
    claimed = ImportJob.claim(job_id, using="progress", error="", stage="starting")
    job = ImportJob.objects.using("progress").get(pk=job_id)
    if not claimed:
        logger.warning("import job %s is %s, not queued: not run again", job.pk, job.status)
        return job
    progress = Progress(throttled(lambda stage, fraction: _report(job, stage, fraction), PROGRESS_EVERY_SECONDS),
                        *listeners)
    with _ending(job), recovery.heartbeat(ImportJob, job.pk):
        if job.kind == ImportJob.Kind.WIKIPEDIA and fan_out:
            _queue_parts(job, wikipedia.plan(job.source.splitlines(), part_bytes=job.options.get("part_bytes")))
            return job
        if job.kind == ImportJob.Kind.WIKIPEDIA:
            counts = wikipedia.import_wikipedia(
                job.source.splitlines(), work_dir=work_dir(job), progress=progress,
                common_link_share=job.options.get("common_link_share"),
                common_link_min_films=job.options.get("common_link_min_films"),
                part_bytes=job.options.get("part_bytes"))
        else:
            counts = import_movielens(job.source, progress=progress)
        _save(job, status=ImportJob.Status.SUCCEEDED, counts=counts, progress=1.0, stage="done",
              finished_at=timezone.now())
    return job


def _queue_parts(job: ImportJob, parts: list[Part]) -> None:
    from movies.tasks import parse_import_part

    with transaction.atomic():
        job.parts.all().delete()
        rows = ImportPart.objects.bulk_create(
            ImportPart(job=job, number=number, path=part.path, label=part.label, compression=part.compression,
                       start=part.start, end=part.end, first_page_id=part.first_page_id)
            for number, part in enumerate(parts))
        ids = [row.pk for row in rows] if rows[0].pk else list(job.parts.values_list("pk", flat=True))
        transaction.on_commit(lambda: [parse_import_part.delay(pk) for pk in ids])
    _save(job, stage=f"reading pages (0 of {len(parts)} parts)", progress=0.05)


def run_part(part_id: int) -> None:
    """Parse one part of a fanned-out job; the last part to finish queues the final step."""
    from movies.tasks import finish_import

    part = ImportPart.objects.select_related("job").get(pk=part_id)
    job = part.job
    if job.status != ImportJob.Status.RUNNING:
        return
    with _ending(job), recovery.heartbeat(ImportJob, job.pk):
        dump_part = Part(part.path, part.compression, part.start, part.end, part.first_page_id, part.label)
        counts = parse_part(dump_part, work_dir(job), part.number)
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job.pk)
            ImportPart.objects.filter(pk=part.pk).update(status=ImportPart.Status.DONE, counts=counts)
            total, done = job.parts.count(), job.parts.filter(status=ImportPart.Status.DONE).count()
            if job.status == ImportJob.Status.RUNNING:
                # Through this connection: the "progress" one would wait for the lock this one holds.
                ImportJob.objects.filter(pk=job.pk).update(stage=f"reading pages ({done} of {total} parts)",
                                                           progress=0.05 + 0.75 * done / total)
                if done == total:
                    transaction.on_commit(lambda: finish_import.delay(job.pk))


def finish_parts(job_id: int) -> ImportJob:
    """The final step of a fanned-out job, once: films and links written in one transaction."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING).exclude(stage="saving")
    job = ImportJob.objects.get(pk=job_id)
    if not claimed.update(stage="saving", progress=0.8, heartbeat_at=timezone.now()):
        return job
    with _ending(job), recovery.heartbeat(ImportJob, job.pk):
        counts = finish(work_dir(job), parts=job.parts.count(), common_link_share=job.options.get(
            "common_link_share", settings.WIKIPEDIA_COMMON_LINK_SHARE),
            common_link_min_films=job.options.get("common_link_min_films"))
        parts = job.parts.values_list("counts", flat=True)
        counts = {"parts": len(parts), "pages": sum(c.get("pages", 0) for c in parts),
                  "articles": sum(c.get("articles", 0) for c in parts)} | counts
        _save(job, status=ImportJob.Status.SUCCEEDED, counts=counts, progress=1.0, stage="done",
              finished_at=timezone.now())
    return job


class _ending:
    """Ends the job failed on any error (the message for bad input, the type for a bug), and
    removes a fanned-out job's files once it has failed or succeeded."""

    def __init__(self, job: ImportJob):
        self.job = job

    def __enter__(self):
        return self.job

    def __exit__(self, kind, error, trace):
        job = self.job
        if error is None:
            if job.status == ImportJob.Status.SUCCEEDED:
                shutil.rmtree(work_dir(job), ignore_errors=True)
            return False
        if isinstance(error, ImportFailed):
            message = str(error)
        else:  # a bug, a lost database, a worker shutdown: still end the job
            logger.error("import job %s crashed", job.pk, exc_info=(kind, error, trace))
            message = f"unexpected error: {type(error).__name__}: {error}"
        # Only the first failure of a fanned-out job is its error: the other parts then fail too.
        if ImportJob.objects.using("progress").filter(pk=job.pk).exclude(status=ImportJob.Status.FAILED).update(
                status=ImportJob.Status.FAILED, error=message, finished_at=timezone.now()):
            job.status, job.error = ImportJob.Status.FAILED, message
        shutil.rmtree(work_dir(job), ignore_errors=True)
        return isinstance(error, Exception)


def _report(job: ImportJob, stage: str, fraction: float) -> None:
    # SQLite has one writer at a time: the import's transaction holds it, so progress waits.
    if connection.vendor == "sqlite" and connection.in_atomic_block:
        return
    _save(job, stage=stage, progress=round(fraction, 4))


def _save(job: ImportJob, **fields) -> None:
    job.record(using="progress", **fields)
