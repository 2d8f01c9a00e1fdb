"""A worker killed with SIGKILL in the middle of training or of an import: the run or job ends failed
within a minute, nothing half-written is ever served, and starting it again completes.

Real worker processes on a queue of the test's own, with a heartbeat every half second, a run or
job stale after 3 s and a sweep every second (the defaults: 10 s, 40 s, 15 s).
"""
import signal
import time

import numpy as np
import pytest

from ml import runs, versions
from ml.models import ModelKind, ModelVersion, TrainingRun
from movies import jobs
from movies.importers.movielens import import_movielens
from movies.models import ImportJob, Movie, Rating
from synthetic.movielens import generate_dataset
from tests.conftest import start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

FAST_RECOVERY = {"JOB_HEARTBEAT_SECONDS": "0.5", "JOB_STALE_SECONDS": "3", "JOB_SWEEP_SECONDS": "1"}
# Small batches and no early stopping: training goes on far longer than the test waits.
ENDLESS = {"dimensions": 8, "rank_dimensions": 8, "batch_size": 16, "max_epochs": 10_000, "patience": 10_000}
SMALL = {"dimensions": 8, "rank_dimensions": 8, "max_epochs": 3}


@pytest.fixture
def workers(celery_queue, tmp_path):
    """Start workers on the test's queue; those still alive are stopped at the end."""
    started = []

    def start():
        worker = start_worker(celery_queue, tmp_path / "workers.log", **FAST_RECOVERY)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.poll() is None:
            stop_worker(worker)
    print("--- worker logs ---\n" + (tmp_path / "workers.log").read_text()[-6000:])


def kill(worker) -> float:
    """SIGKILL: no exception handler, no `finally`, no acknowledgement runs. Returns when it died."""
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    return time.monotonic()


def status_of(model, pk) -> str:
    return model.objects.values_list("status", flat=True).get(pk=pk)


def test_a_killed_worker_leaves_the_run_failed_and_the_old_version_active(workers, release):
    import_movielens(str(release.path))
    movie_ids = np.array(list(Movie.objects.values_list("pk", flat=True)))
    old = versions.activate(versions.save_version(kind=ModelKind.RATINGS, movie_ids=movie_ids,
                                                  movie_vectors=np.ones((len(movie_ids), 4), dtype=np.float32)))
    first = workers()
    run, _ = runs.start_run(ModelKind.RATINGS, parameters=ENDLESS)
    wait_for(lambda: TrainingRun.objects.get(pk=run.pk).epochs, timeout=120)  # training, epoch after epoch

    died = kill(first)
    assert status_of(TrainingRun, run.pk) == "running"  # nobody was left to say otherwise
    workers()  # a restarted worker (or any other) sweeps
    wait_for(lambda: status_of(TrainingRun, run.pk) == "failed", timeout=60)

    assert time.monotonic() - died < 60
    run.refresh_from_db()
    assert "worker running it stopped" in run.error and run.finished_at is not None
    assert list(ModelVersion.objects.all()) == [old] and versions.active_version(ModelKind.RATINGS) == old
    again, created = runs.start_run(ModelKind.RATINGS, parameters=SMALL)  # the dead run blocks nothing
    assert created
    wait_for(lambda: status_of(TrainingRun, again.pk) in ("succeeded", "failed"), timeout=180)
    again.refresh_from_db()
    assert again.status == "succeeded", again.error
    assert versions.active_version(ModelKind.RATINGS).training_run == again


def test_a_worker_killed_mid_import_leaves_the_database_as_it_was_and_a_rerun_completes(workers, release, tmp_path):
    import_movielens(str(release.path))
    before = (Movie.objects.count(), Rating.objects.count(), sorted(Rating.objects.values_list("pk", "value")))
    big = generate_dataset(tmp_path / "ml-big", n_users=4000, n_movies=1500, ratings_per_user=100, name="ml-big",
                           seed=2)
    first = workers()
    job = jobs.queue_import(source=str(big.path))
    wait_for(lambda: ImportJob.objects.get(pk=job.pk).stage == "loading ratings", timeout=120, every=0.02)

    died = kill(first)
    workers()
    wait_for(lambda: status_of(ImportJob, job.pk) == "failed", timeout=60)

    assert time.monotonic() - died < 60
    after = (Movie.objects.count(), Rating.objects.count(), sorted(Rating.objects.values_list("pk", "value")))
    assert after == before  # the import's transaction died with its connection
    again = jobs.queue_import(source=str(big.path))
    wait_for(lambda: ImportJob.objects.get(pk=again.pk).is_finished, timeout=180)
    again.refresh_from_db()
    assert again.status == "succeeded", again.error
    assert Rating.objects.count() == before[1] + big.n_ratings
