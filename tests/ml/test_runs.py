"""Training runs: one per kind at a time, and every run ends succeeded or failed with a reason."""
import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from ml import runs
from ml.models import ModelKind, ModelVersion, TrainingRun
from ml.training import trainers

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

    trainers.execute_run(run.pk)

    run.refresh_from_db()
    assert run.status == TrainingRun.Status.FAILED
    assert "no ratings to train on" in run.error
    assert run.finished_at is not None
    assert not ModelVersion.objects.exists()


def test_retrain_command_refuses_a_kind_without_data_with_the_reason():
    with pytest.raises(CommandError, match="no Wikipedia links yet: import a Wikipedia dump first"):
        call_command("retrain", "links", verbosity=0)
    assert not TrainingRun.objects.exists()


def test_retrain_all_without_any_data_fails_naming_what_it_skipped():
    with pytest.raises(CommandError, match="nothing to train: ratings, links skipped"):
        call_command("retrain", "all", stdout=io.StringIO())


def test_retrain_help_describes_each_kind():
    from ml.management.commands.retrain import Command

    text = Command().create_parser("manage.py", "retrain").format_help()
    assert all(f"\n  {kind} " in text for kind in ("ratings", "links", "all")) and "Wikipedia" in text


def test_retrain_all_trains_what_it_can_says_what_it_skipped_and_prints_a_line_per_stage(release, monkeypatch,
                                                                                        output_dirs):
    from movies.importers.movielens import import_movielens

    import_movielens(str(release.path))
    execute = trainers.execute_run

    def small(run_id, **kwargs):  # the real run, with small parameters
        TrainingRun.objects.filter(pk=run_id).update(parameters=SMALL)
        return execute(run_id, **kwargs)

    monkeypatch.setattr(trainers, "execute_run", small)
    out = io.StringIO()
    call_command("retrain", "all", stdout=out)  # no CommandError: exit status 0
    text = out.getvalue()
    assert "links: skipped, no Wikipedia links yet" in text and "trained ratings; skipped links." in text
    stages = [line for line in text.splitlines() if line.startswith("ratings: ") and "%" in line]
    assert len(stages) >= 3 and "\r" not in text  # a line per stage, no bar redrawn in place
    assert ModelVersion.objects.get(is_active=True).kind == ModelKind.RATINGS


@pytest.fixture
def output_dirs(settings, tmp_path):
    settings.MODEL_DIR, settings.TENSORBOARD_DIR = tmp_path / "models", tmp_path / "tensorboard"
    return settings


def test_a_links_run_writes_a_version_whose_neighbours_share_their_links(output_dirs):
    from ml.serving import active, recommendations
    from movies.models import Movie, WikiLink
    from tests.ml.planted import planted_links

    data = planted_links(n_clusters=4, films_per_cluster=12, seed=7)
    films = Movie.objects.bulk_create(Movie(title=f"Film {n} <i>") for n in range(data.n_movies))
    WikiLink.objects.bulk_create(WikiLink(movie=films[m], target=f"Page {t}") for m, t in zip(data.movies, data.links))
    WikiLink.objects.create(movie=films[0], target="A page only one film links to")
    run = TrainingRun.objects.create(kind=ModelKind.LINKS, parameters={"dimensions": 16})

    trainers.execute_run(run.pk)

    run.refresh_from_db()
    assert run.status == TrainingRun.Status.SUCCEEDED, run.error
    version = ModelVersion.objects.get(is_active=True, kind=ModelKind.LINKS)
    assert version.movie_vectors.count() == data.n_movies and version.dimensions == 16
    shared = np.bincount(data.links) >= 2
    assert run.evaluation["links"] == shared.sum()  # pages that one film links to are left out
    assert {"val_loss", "val_accuracy", "epochs"} <= set(run.evaluation)
    active.forget()
    for film in (0, 13, 40):
        neighbours = recommendations.similar_to(movie=films[film], k=5, kind=ModelKind.LINKS)
        assert sum(data.clusters[films.index(n.movie)] == data.clusters[film] for n in neighbours) >= 4


def test_a_links_run_past_the_second_pass_size_keeps_its_first_model(output_dirs, monkeypatch):
    from movies.models import Movie, WikiLink
    from tests.ml.planted import planted_links

    monkeypatch.setattr(trainers, "RETRAIN_MAX_PAIRS", 10)
    data = planted_links(n_clusters=2, films_per_cluster=6, seed=8)
    films = Movie.objects.bulk_create(Movie(title=f"Film {n}") for n in range(data.n_movies))
    WikiLink.objects.bulk_create(WikiLink(movie=films[m], target=f"Page {t}") for m, t in zip(data.movies, data.links))
    run = TrainingRun.objects.create(kind=ModelKind.LINKS, parameters={"dimensions": 4, "max_epochs": 3})

    trainers.execute_run(run.pk)

    run.refresh_from_db()
    assert run.status == TrainingRun.Status.SUCCEEDED, run.error
    assert run.evaluation["second_pass"] is False
    assert {entry["phase"] for entry in run.epochs} == {"validating"}
    assert not list((output_dirs.TENSORBOARD_DIR / f"links-run-{run.pk}").glob("all-links"))


def test_a_run_leaves_tensorboard_logs_and_an_embedding_projector_export(output_dirs):
    from movies.models import Movie, WikiLink
    from tests.ml.planted import planted_links

    data = planted_links(n_clusters=2, films_per_cluster=6, seed=8)
    films = Movie.objects.bulk_create(Movie(title=f"Film\t{n}", year=1990 + n) for n in range(data.n_movies))
    WikiLink.objects.bulk_create(WikiLink(movie=films[m], target=f"Page {t}") for m, t in zip(data.movies, data.links))
    run = TrainingRun.objects.create(kind=ModelKind.LINKS, parameters={"dimensions": 4, "max_epochs": 3})

    trainers.execute_run(run.pk)

    run.refresh_from_db()
    assert run.status == TrainingRun.Status.SUCCEEDED, run.error
    logs = output_dirs.TENSORBOARD_DIR / f"links-run-{run.pk}"
    assert list(logs.glob("validating/**/events.out.tfevents.*")) and list(logs.glob("all-links/**/events.*"))
    export = output_dirs.MODEL_DIR / f"links-v{run.model_version.pk}" / "projector"
    vectors = (export / "vectors.tsv").read_text().splitlines()
    metadata = (export / "metadata.tsv").read_text().splitlines()
    assert len(vectors) == data.n_movies and all(len(line.split("\t")) == 4 for line in vectors)
    assert metadata[0] == "Title\tYear\tGenres" and len(metadata) == data.n_movies + 1
    assert metadata[1] == "Film 0\t1990\t"  # a tab in a title would shift the columns


SMALL = {"dimensions": 8, "rank_dimensions": 8, "max_epochs": 4, "patience": 2, "batch_size": 256}


def test_a_ratings_run_trains_writes_and_activates_a_complete_version(release):
    from movies.importers.movielens import import_movielens
    from movies.models import Movie

    import_movielens(str(release.path))
    run = TrainingRun.objects.create(kind=ModelKind.RATINGS, parameters=SMALL)
    seen = []

    trainers.execute_run(run.pk, on_epoch=lambda current: seen.append(current.progress))

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
    # Every epoch, then the stages after training (saving, the guard, the export), in order.
    assert seen == sorted(seen) and len(seen) == len(run.epochs) + 3


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
