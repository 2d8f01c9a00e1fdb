"""Celery tasks of the catalog. Thin: they take ids and call the services in jobs.py."""
from celery import shared_task

from movies import jobs


@shared_task(name="movies.run_import_job")
def run_import_job(job_id: int) -> str:
    """Run a queued import job in this worker; returns the job's final status."""
    return jobs.run_import(job_id).status
