"""Training runs: one per kind at a time, and every run ends succeeded or failed with a reason."""
import pytest
from django.core.management import CommandError, call_command

from ml import runs
from ml.models import ModelKind, ModelVersion, TrainingRun

pytestmark = pytest.mark.django_db


def test_starting_a_second_run_of_a_kind_returns_the_one_already_queued(django_capture_on_commit_callbacks):
    first, created = runs.start_run(ModelKind.RATINGS)
    again, created_again = runs.start_run(ModelKind.RATINGS)
    other, other_created = runs.start_run(ModelKind.LINKS)

    assert (created, created_again, other_created) == (True, False, True)
    assert again == first and other != first
    assert TrainingRun.objects.count() == 2


def test_a_ratings_run_without_ratings_fails_and_says_why():
    run = TrainingRun.objects.create(kind=ModelKind.RATINGS)

    runs.execute_run(run.pk)

    run.refresh_from_db()
    assert run.status == TrainingRun.Status.FAILED
    assert "no ratings to train on" in run.error
    assert run.finished_at is not None
    assert not ModelVersion.objects.exists()


def test_retrain_command_fails_with_the_reason():
    with pytest.raises(CommandError, match="Wikipedia import is not built yet"):
        call_command("retrain", "links", verbosity=0)
    assert TrainingRun.objects.get().status == TrainingRun.Status.FAILED


SMALL = {"dimensions": 8, "rank_dimensions": 8, "max_epochs": 4, "patience": 2, "batch_size": 256}


def test_a_ratings_run_trains_writes_and_activates_a_complete_version(release):
    from movies.importers.movielens import import_movielens
    from movies.models import Movie

    import_movielens(str(release.path))
    run = TrainingRun.objects.create(kind=ModelKind.RATINGS, parameters=SMALL)
    seen = []

    runs.execute_run(run.pk, on_epoch=lambda current: seen.append(current.progress))

    run.refresh_from_db()
    assert run.status == TrainingRun.Status.SUCCEEDED, run.error
    version = ModelVersion.objects.get(is_active=True, kind=ModelKind.RATINGS)
    assert version.training_run == run
    assert version.movie_vectors.count() == Movie.objects.filter(ratings__isnull=False).distinct().count()
    assert version.user_vectors.count() == release.n_users
    vector = version.movie_vectors.first()
    assert len(vector.values()) == 8 and vector.rank_vector is not None
    assert {"rmse", "ndcg", "training_seconds"} <= set(run.evaluation)
    assert len(run.epochs) >= 2 and {"phase", "epoch", "loss"} <= set(run.epochs[0])
    assert seen == sorted(seen) and len(seen) == len(run.epochs)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_retrains_and_activates_a_version(celery_worker_process, release):
    from movies.importers.movielens import import_movielens
    from tests.conftest import wait_for

    import_movielens(str(release.path))
    run, created = runs.start_run(ModelKind.RATINGS, parameters=SMALL)

    wait_for(lambda: TrainingRun.objects.get(pk=run.pk).status in ("succeeded", "failed"), timeout=180)

    run.refresh_from_db()
    assert created and run.status == TrainingRun.Status.SUCCEEDED, run.error
    assert ModelVersion.objects.get(is_active=True).training_run == run
