"""Starting a training run: at most one per kind is queued or running; a worker trains it (ml/training/trainers.py).

The path of a retrain: admin button or `manage.py retrain` → `start_run` (a queued TrainingRun) →
Celery task `ml.retrain` (takes the run id) → `training.execute_run` → the kind's trainer writes a new
ModelVersion → activated → web processes' indexes notice the new version and reload.
"""
from django.db import IntegrityError, transaction
from django.utils import timezone

from ml.models import TrainingRun
from ml.tasks import retrain
from work import recovery
from work.queue import enqueue_on_commit


def start_run(kind: str, *, user=None, parameters: dict | None = None) -> tuple[TrainingRun, bool]:
    """Queue a run of `kind` for a worker; returns (run, created). If a run of that kind is already
    queued or running, returns it with created=False instead of queueing a duplicate.

    Raises work.queue.QueueUnavailable (and ends the new run failed) if the broker is down.
    """
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
