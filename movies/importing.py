"""Running an import job (queued by movies/jobs.py), in a worker's task or a command, keeping its ImportJob current.

The job row is the single place that says how an import is going. Its progress is written
through the separate "progress" database connection, so the admin sees it while the import's
own transaction is still open.

A Wikipedia import run by workers fans out: the first task plans the parts (ImportPart rows)
and queues one task per part; each part writes its results under DATA_DIR; the last part to
finish, seen under a lock on the job row, queues the final step. No result backend is needed.
The tasks hand over how to queue the next ones (movies/tasks.py), so this module imports none.

Each task runs its step through work/lifecycle.py: heartbeat, ended failed on any error (a dead worker's job by
the sweep), files removed once the job has ended. A fanned-out job waiting in the queue between its tasks has no
heartbeat, so waiting is never taken for dying.
"""
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from movies.importers.movielens import import_movielens
from movies.importers.progress import Progress, throttled
from movies.importers.wikipedia import importer as wikipedia
from movies.importers.wikipedia.dump import Part
from movies.importers.wikipedia.parse import parse_part
from movies.importers.wikipedia.store import finish
from movies.models import ImportJob, ImportPart
from work import lifecycle

logger = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 0.5


def work_dir(job: ImportJob) -> Path:
    """Where the parts of a job write their results."""
    return Path(settings.DATA_DIR) / "imports" / f"job-{job.pk}"


def run_import(job_id: int, *, listeners=(), queue_part: Callable[[int], None] | None = None) -> ImportJob:
    """Run a job's import now, in this process. The job ends succeeded or failed, never running;
    except with `queue_part` for a Wikipedia job, which then continues in one task per part (`queue_part(id)`
    once the parts are committed). Only a queued job runs: a task redelivered after its worker died leaves its
    job as it is."""
    def work(job: ImportJob) -> dict | None:
        if job.kind == ImportJob.Kind.WIKIPEDIA and queue_part:
            parts = wikipedia.plan(job.source.splitlines(), part_bytes=job.options.get("part_bytes"))
            _queue_parts(job, queue_part, parts)
            return None
        progress = Progress(throttled(lambda stage, fraction: _report(job, stage, fraction), PROGRESS_EVERY_SECONDS),
                            *listeners)
        if job.kind == ImportJob.Kind.WIKIPEDIA:
            counts = wikipedia.import_wikipedia(
                job.source.splitlines(), work_dir=work_dir(job), progress=progress,
                common_link_share=job.options.get("common_link_share"),
                common_link_min_films=job.options.get("common_link_min_films"),
                part_bytes=job.options.get("part_bytes"))
        else:
            counts = import_movielens(job.source, progress=progress)
        return {"counts": counts}

    return lifecycle.run(ImportJob, job_id, work, using="progress", on_end=_remove_files, error="", stage="starting")


def _queue_parts(job: ImportJob, queue_part: Callable[[int], None], parts: list[Part]) -> None:
    with transaction.atomic():
        job.parts.all().delete()
        rows = ImportPart.objects.bulk_create(
            ImportPart(job=job, number=number, path=part.path, label=part.label, compression=part.compression,
                       start=part.start, end=part.end, first_page_id=part.first_page_id)
            for number, part in enumerate(parts))
        ids = [row.pk for row in rows] if rows[0].pk else list(job.parts.values_list("pk", flat=True))
        transaction.on_commit(lambda: [queue_part(pk) for pk in ids])
    _save(job, stage=f"reading pages (0 of {len(parts)} parts)", progress=0.05)


def run_part(part_id: int, *, queue_finish: Callable[[int], None]) -> None:
    """Parse one part of a fanned-out job; the last part to finish queues the final step (`queue_finish(job id)`)."""
    part = ImportPart.objects.select_related("job").get(pk=part_id)
    job = part.job
    if job.status != ImportJob.Status.RUNNING:
        return
    with lifecycle.running(job, using="progress", on_end=_remove_files):
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
                    transaction.on_commit(lambda: queue_finish(job.pk))


def finish_parts(job_id: int) -> ImportJob:
    """The final step of a fanned-out job, once: films and links written in one transaction."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING).exclude(stage="saving")
    job = ImportJob.objects.get(pk=job_id)
    if not claimed.update(stage="saving", progress=0.8, heartbeat_at=timezone.now()):
        return job
    with lifecycle.running(job, using="progress", on_end=_remove_files):
        counts = finish(work_dir(job), parts=job.parts.count(), common_link_share=job.options.get(
            "common_link_share", settings.WIKIPEDIA_COMMON_LINK_SHARE),
            common_link_min_films=job.options.get("common_link_min_films"))
        parts = job.parts.values_list("counts", flat=True)
        counts = {"parts": len(parts), "pages": sum(c.get("pages", 0) for c in parts),
                  "articles": sum(c.get("articles", 0) for c in parts)} | counts
        lifecycle.succeed(job, using="progress", counts=counts)
    return job


def _remove_files(job: ImportJob) -> None:
    """Once a job has ended, its parts' files are of no more use."""
    shutil.rmtree(work_dir(job), ignore_errors=True)


def _report(job: ImportJob, stage: str, fraction: float) -> None:
    # SQLite has one writer at a time: the import's transaction holds it, so progress waits.
    if connection.vendor == "sqlite" and connection.in_atomic_block:
        return
    _save(job, stage=stage, progress=round(fraction, 4))


def _save(job: ImportJob, **fields) -> None:
    job.record(using="progress", **fields)
