"""The sweep ends only runs and jobs whose worker stopped stamping them; a task handed out again
after its worker died leaves its run or job as it is."""
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from ml import runs
from ml.models import ModelKind, TrainingRun
from ml.training import trainers
from movies import importing
from movies.models import ImportJob
from work import recovery
from work.heartbeat import heartbeat

pytestmark = pytest.mark.django_db


def ago(seconds: float):
    return timezone.now() - timedelta(seconds=seconds)


def test_the_sweep_fails_only_running_rows_whose_heartbeat_is_stale(settings):
    settings.JOB_STALE_SECONDS = 40
    dead = TrainingRun.objects.create(kind=ModelKind.RATINGS, status="running", heartbeat_at=ago(41))
    alive = TrainingRun.objects.create(kind=ModelKind.LINKS, status="running", heartbeat_at=ago(5))
    dead_import = ImportJob.objects.create(kind="movielens", source="x", status="running", heartbeat_at=ago(100))
    # A fanned-out Wikipedia job between its tasks has no heartbeat: waiting in the queue is not dying.
    waiting = ImportJob.objects.create(kind="wikipedia", source="y", status="running", heartbeat_at=None)

    assert recovery.sweep() == 2

    statuses = {row.pk: row.status for row in [*TrainingRun.objects.all(), *ImportJob.objects.all()]}
    assert (statuses[dead.pk], statuses[alive.pk]) == ("failed", "running")
    assert ImportJob.objects.get(pk=dead_import.pk).status == "failed"
    assert ImportJob.objects.get(pk=waiting.pk).status == "running"
    assert "worker running it stopped" in TrainingRun.objects.get(pk=dead.pk).error


def test_a_run_whose_worker_died_does_not_block_the_next_retrain(settings, django_capture_on_commit_callbacks):
    settings.JOB_STALE_SECONDS = 40
    dead = TrainingRun.objects.create(kind=ModelKind.RATINGS, status="running", heartbeat_at=ago(60))

    with django_capture_on_commit_callbacks():
        run, created = runs.start_run(ModelKind.RATINGS)

    assert created and run != dead
    assert TrainingRun.objects.get(pk=dead.pk).status == "failed"


def test_a_redelivered_training_task_leaves_a_failed_run_as_it_is():
    run = TrainingRun.objects.create(kind=ModelKind.RATINGS, status="failed", error=recovery.DIED)

    assert trainers.execute_run(run.pk).status == "failed"
    assert TrainingRun.objects.get(pk=run.pk).error == recovery.DIED


def test_a_redelivered_import_task_leaves_a_failed_job_as_it_is():
    job = ImportJob.objects.create(kind="movielens", source="/nowhere", status="failed", error=recovery.DIED)

    assert importing.run_import(job.pk).status == "failed"
    assert ImportJob.objects.get(pk=job.pk).error == recovery.DIED


@pytest.mark.django_db(transaction=True)
def test_a_running_job_is_stamped_by_its_heartbeat_and_cleared_after(settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    job = ImportJob.objects.create(kind="movielens", source="x", status="running")

    with heartbeat(ImportJob, job.pk):
        stamps = set()
        for _ in range(40):
            stamps.add(ImportJob.objects.get(pk=job.pk).heartbeat_at)
            if len(stamps - {None}) >= 2:
                break
            time.sleep(0.05)

    assert len(stamps - {None}) >= 2
    assert ImportJob.objects.get(pk=job.pk).heartbeat_at is None
