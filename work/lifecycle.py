"""One life for every job: claimed once (queued → running), kept alive by its heartbeat, ended succeeded or failed.

`run(Model, pk, work)` (Model: a work.models.Job) is how a Celery task, or a command in the foreground, does a
job. A task delivered again after its worker died finds the row no longer queued and leaves it as it is. An error
ends the row failed: with its message for a JobFailed (bad input, no data), else with its type (a bug, a lost
database, a shutdown), logged.
"""
import logging
from collections.abc import Callable
from contextlib import contextmanager

from django.utils import timezone

from work.heartbeat import heartbeat

logger = logging.getLogger(__name__)


class JobFailed(Exception):
    """The job cannot go on (bad input, no data, bad parameters): the row shows this message."""


def run(model, pk: int, work: Callable[..., dict | None], *, using: str = "default",
        on_end: Callable | None = None, **claimed_with):
    """Claim row `pk` (setting `claimed_with`), then do `work(job)` and end it succeeded with the fields `work`
    returns; `work` returns None for a job that goes on in other tasks (a fanned-out import), left running.
    Returns the row; it is left as it is if it was not queued. Rows are written through `using`."""
    claimed = model.claim(pk, using=using, **claimed_with)
    job = model.objects.using(using).get(pk=pk)
    if not claimed:
        logger.warning("%s %s is %s, not queued: not run again", model.__name__, job.pk, job.status)
        return job
    with running(job, using=using, on_end=on_end):
        result = work(job)
        if result is not None:
            succeed(job, using=using, **result)
    return job


@contextmanager
def running(job, *, using: str = "default", on_end: Callable | None = None):
    """Beat while the block runs; an error in it ends the job failed (and is not raised further, unless it is no
    Exception: a worker's shutdown). `on_end(job)` follows an end here, succeeded or failed (to remove files)."""
    try:
        with heartbeat(type(job), job.pk):
            yield job
    except BaseException as error:
        fail(job, error, using=using)
        if on_end:
            on_end(job)
        if not isinstance(error, Exception):
            raise
    else:
        if on_end and job.status == job.Status.SUCCEEDED:
            on_end(job)


def succeed(job, *, using: str = "default", **fields) -> None:
    """End the job succeeded, its stage "done" unless `fields` give another."""
    job.record(using=using, **{"status": job.Status.SUCCEEDED, "stage": "done", "progress": 1.0,
                               "finished_at": timezone.now(), **fields})


def fail(job, error: BaseException, *, using: str = "default") -> None:
    """End the job failed with what `error` says. Only its first failure counts: of a job fanned out into parts,
    the other parts then fail too."""
    if isinstance(error, JobFailed):
        message = str(error)
    else:
        logger.error("%s %s crashed", type(job).__name__, job.pk, exc_info=error)
        message = f"unexpected error: {type(error).__name__}: {error}"
    now = timezone.now()
    if type(job).objects.using(using).filter(pk=job.pk).exclude(status=job.Status.FAILED).update(
            status=job.Status.FAILED, error=message, finished_at=now):
        job.status, job.error, job.finished_at = job.Status.FAILED, message, now
