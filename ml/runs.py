"""Training runs: start one (at most one per kind at a time), run it, and keep its row current.

The path of a retrain: admin button or `manage.py retrain` → `start_run` (a queued TrainingRun) →
Celery task `ml.retrain` (takes the run id) → `execute_run` → the kind's trainer writes a new
ModelVersion → activated → web processes' indexes notice the new version and reload.

A worker that dies mid-run leaves no version half-written or active (versions.py); its run is
ended failed by the sweep of recsite/recovery.py, and a redelivered task finds it no longer queued.
"""
import logging
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from ml.models import ModelKind, TrainingRun
from recsite import recovery
from recsite.queue import enqueue_on_commit

logger = logging.getLogger(__name__)


class TrainingFailed(Exception):
    """A training run cannot go on (no data, bad parameters); the run shows this message."""


def start_run(kind: str, *, user=None, parameters: dict | None = None) -> tuple[TrainingRun, bool]:
    """Queue a run of `kind` for a worker; returns (run, created). If a run of that kind is already
    queued or running, returns it with created=False instead of queueing a duplicate.

    Raises recsite.queue.QueueUnavailable (and ends the new run failed) if the broker is down.
    """
    from ml.tasks import retrain

    recovery.sweep()  # a run whose worker died must not block this one
    try:
        with transaction.atomic():
            run = TrainingRun.objects.create(kind=kind, created_by=user, parameters=parameters or {})
    except IntegrityError:  # the database allows one unfinished run per kind
        unfinished = [TrainingRun.Status.QUEUED, TrainingRun.Status.RUNNING]
        return TrainingRun.objects.get(kind=kind, status__in=unfinished), False
    enqueue_on_commit(retrain, run.pk, what="the training run",
                      on_failure=lambda message: run.record(status=TrainingRun.Status.FAILED, error=message,
                                                            finished_at=timezone.now()))
    return run, True


def execute_run(run_id: int, *, on_epoch: Callable[[TrainingRun], None] | None = None) -> TrainingRun:
    """Train now, in this process. The run ends succeeded (with a new version, active unless the trainer says
    otherwise in its last stage) or failed.

    Only a queued run is trained: a task redelivered after its worker died finds its run failed
    (or finished) and leaves it as it is.
    """
    from ml.training import TRAINERS

    claimed = TrainingRun.claim(run_id, stage="loading data")
    run = TrainingRun.objects.get(pk=run_id)
    if not claimed:
        logger.warning("training run %s is %s, not queued: not run again", run.pk, run.status)
        return run
    try:
        with recovery.heartbeat(TrainingRun, run.pk):
            ending = TRAINERS[ModelKind(run.kind)](run, on_epoch=on_epoch)
    except TrainingFailed as error:
        run.record(status=TrainingRun.Status.FAILED, error=str(error), finished_at=timezone.now())
    except BaseException as error:  # a bug or a worker shutdown: the run still ends
        logger.exception("training run %s crashed", run.pk)
        run.record(status=TrainingRun.Status.FAILED, finished_at=timezone.now(),
                   error=f"unexpected error: {type(error).__name__}: {error}")
        if not isinstance(error, Exception):
            raise
    else:
        run.record(status=TrainingRun.Status.SUCCEEDED, stage=ending or "done", progress=1.0,
                   finished_at=timezone.now())
    return run
