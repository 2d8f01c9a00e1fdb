"""The demo's models: the run command has the Celery worker train each kind that has no active version yet."""
import time

from ml import runs
from ml.models import ModelVersion, TrainingRun


def train_missing_models(kinds, *, report=print, timeout: float = 1800, poll: float = 2.0) -> list:
    """Queue a training run for each kind without an active model version, for the Celery worker, and wait until
    every run has ended, reporting its stage and progress as it changes; returns the runs (none when all kinds
    already have an active version)."""
    queued = []
    for kind in kinds:
        if ModelVersion.objects.filter(kind=kind, is_active=True).exists():
            report(f"{kind}: a model version is already active.")
            continue
        run, created = runs.start_run(kind)
        report(f"{kind}: {'queued' if created else 'already queued or running:'} training run {run.pk} for the worker.")
        queued.append(run.pk)
    deadline, last = time.monotonic() + timeout, {}
    while queued and time.monotonic() < deadline:
        current = list(TrainingRun.objects.filter(pk__in=queued))
        for run in current:
            line = f"{run.kind}: {run.status}, {run.stage or 'waiting for the worker'} ({run.progress:.0%})"
            if last.get(run.pk) != line:
                report(line)
                last[run.pk] = line
        if all(run.status in (TrainingRun.Status.SUCCEEDED, TrainingRun.Status.FAILED) for run in current):
            return current
        time.sleep(poll)
    return list(TrainingRun.objects.filter(pk__in=queued))
