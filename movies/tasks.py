"""Celery tasks of the catalog. Thin: they take ids and call the services in jobs.py."""
from celery import shared_task

from movies import jobs


@shared_task(name="movies.run_import_job")
def run_import_job(job_id: int) -> str:
    """Run a queued import job in this worker (a Wikipedia job fans out into parts); returns its status."""
    return jobs.run_import(job_id, fan_out=True).status


@shared_task(name="movies.parse_import_part")
def parse_import_part(part_id: int) -> None:
    """Parse one part of a fanned-out import; the last one queues finish_import."""
    jobs.run_part(part_id)


@shared_task(name="movies.finish_import")
def finish_import(job_id: int) -> str:
    """The final step of a fanned-out import; returns the job's status."""
    return jobs.finish_parts(job_id).status
