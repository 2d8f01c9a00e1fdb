"""Celery tasks of the ml app. Thin: they take a run id and call the training service (imported in the task:
a web process that queues a run never loads the trainers)."""
from celery import shared_task


@shared_task(name="ml.retrain")
def retrain(run_id: int) -> str:
    """Train the model of a queued TrainingRun in this worker; returns the run's final status."""
    from ml.training import trainers

    return trainers.execute_run(run_id).status
