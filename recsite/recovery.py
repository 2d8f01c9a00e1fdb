"""Runs and jobs whose worker died: a heartbeat while they work, and a sweep that ends them failed.

A worker killed with SIGKILL (or a machine that dies) runs no `except` or `finally`: its TrainingRun
or ImportJob would say "running" forever, and a dead training run would block the next one of its
kind. So while a worker executes one, a thread stamps its `heartbeat_at` every JOB_HEARTBEAT_SECONDS;
`sweep()` fails the running rows whose stamp is older than JOB_STALE_SECONDS. Every worker sweeps at
start and every JOB_SWEEP_SECONDS (recsite/celery.py), and starting a run sweeps first, so a dead
run ends failed within about a minute and never blocks a retrain.

The work itself needs no repair: a version is written in one transaction and activated only once
complete, and an import is one transaction; PostgreSQL rolls back what a dead connection left open.
"""
import logging
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)
DIED = "the worker running it stopped (killed, or its machine died): start it again"


@contextmanager
def heartbeat(model, pk: int):
    """Stamp `heartbeat_at` of row `pk` of `model` every JOB_HEARTBEAT_SECONDS while the block runs,
    and clear it after: a row with no stamp (a fanned-out job waiting for its next task) is never swept."""
    stop = threading.Event()
    beat = threading.Thread(target=_beat, args=(model, pk, stop), name=f"heartbeat-{model.__name__}-{pk}",
                            daemon=True)
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()
        try:
            model.objects.filter(pk=pk).update(heartbeat_at=None)
        except Exception:  # the database is gone: the error that matters is the work's own
            logger.warning("heartbeat of %s %s not cleared", model.__name__, pk, exc_info=True)


def _beat(model, pk: int, stop: threading.Event) -> None:
    # A thread has its own database connection, so a stamp is committed at once, whatever
    # transaction the work itself holds open.
    try:
        while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
            try:
                model.objects.filter(pk=pk).update(heartbeat_at=timezone.now())
            except Exception:  # a database outage: the work will notice it too
                logger.warning("heartbeat of %s %s not written", model.__name__, pk, exc_info=True)
                close_old_connections()
    finally:
        connection.close()


def sweep() -> int:
    """End failed every running run or job whose heartbeat is stale; returns how many."""
    from ml.models import TrainingRun
    from movies.models import ImportJob

    cutoff = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)
    ended = 0
    for model in (TrainingRun, ImportJob):
        stale = model.objects.filter(status=model.Status.RUNNING, heartbeat_at__lt=cutoff)
        count = stale.update(status=model.Status.FAILED, error=DIED, finished_at=timezone.now())
        if count:
            logger.warning("%s %s(s) whose worker died marked failed", count, model.__name__)
        ended += count
    return ended
