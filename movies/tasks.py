"""Celery tasks of the catalog. Thin: they take ids and call movies/importing.py (imported in each task), handing
it how to queue the import's next tasks."""
from celery import shared_task


@shared_task(name="movies.run_import_job")
def run_import_job(job_id: int) -> str:
    """Run a queued import job in this worker (a Wikipedia job fans out into parts); returns its status."""
    from movies import importing

    return importing.run_import(job_id, queue_part=parse_import_part.delay).status


@shared_task(name="movies.parse_import_part")
def parse_import_part(part_id: int) -> None:
    """Parse one part of a fanned-out import; the last one queues finish_import."""
    from movies import importing

    importing.run_part(part_id, queue_finish=finish_import.delay)


@shared_task(name="movies.finish_import")
def finish_import(job_id: int) -> str:
    """The final step of a fanned-out import; returns the job's status."""
    from movies import importing

    return importing.finish_parts(job_id).status
