"""Celery tasks of the ml app. Thin: they take a run id and call the service in runs.py."""
from celery import shared_task

from ml import runs


@shared_task(name="ml.retrain")
def retrain(run_id: int) -> str:
    """Train the model of a queued TrainingRun in this worker; returns the run's final status."""
    return runs.execute_run(run_id).status
