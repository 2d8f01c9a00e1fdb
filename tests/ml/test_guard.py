"""The regression guard (ml/guard.py): a retrained CF version worse than the active one stays inactive."""
import numpy as np
import pytest

from ml import spectral, versions
from ml.models import ModelKind, ModelVersion, TrainingRun
from ml.training import cf_training, data, guard
from ml.training.evaluation import Catalog, Ratings, stable_split_ratings
from ml.training.trainers import execute_run
from synthetic.movielens import generate_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def ratings(tmp_path):
    """The ratings of an imported release with planted taste groups, in the evaluation's form."""
    from movies.importers.movielens import import_movielens

    release = generate_dataset(tmp_path / "ml-guard", n_users=80, n_movies=60, ratings_per_user=15, seed=3)
    import_movielens(str(release.path))
    stored = data.load_ratings()
    return cf_training.as_ratings(stored.user_ids, stored.movie_ids, stored.values)


def spectral_version(ratings, *, lam: float = 20.0, noise: float | None = None) -> ModelVersion:
    """A stored spectral version (EASE as embeddings) of all ``ratings``; with ``noise``, random input vectors."""
    catalog = Catalog.from_ratings(ratings)
    users, movies = catalog.index(ratings)
    found = spectral.spectrum(users, movies, catalog.n_users, catalog.n_movies, rank=catalog.n_movies)
    inputs = found.input_vectors(lam)
    if noise is not None:
        inputs = np.random.default_rng(0).normal(0, noise, inputs.shape).astype(np.float32)
    zeros = np.zeros((catalog.n_movies, 2), np.float32)
    return versions.save_version(kind=ModelKind.RATINGS, movie_ids=catalog.movie_ids, movie_vectors=zeros,
                                 rank_movie_vectors=inputs, parameters={"rank_model": "spectral"})


def test_a_version_worse_than_the_active_one_by_more_than_a_standard_error_fails(ratings):
    good, noise = spectral_version(ratings), spectral_version(ratings, noise=0.05)
    found = guard.verdict(noise, good, ratings)
    assert found["guard_passed"] is False and found["guard_active_version"] == good.pk
    assert found["guard_active_ndcg"] - found["guard_ndcg"] > found["guard_standard_error"] > 0
    assert guard.verdict(good, noise, ratings)["guard_passed"] is True


def test_a_version_not_trained_on_the_held_out_ratings_is_not_compared_with_one_that_was(ratings):
    # The data grew past RETRAIN_MAX_ROWS: the active version saw the held-out rows in its second pass, the new one
    # did not. Scoring both on those rows would favour the active one, so the new one passes, and says why.
    good, noise = spectral_version(ratings), spectral_version(ratings, noise=0.05)
    good.evaluation = {cf_training.TRAINED_ON_HELD_OUT: True}
    noise.evaluation = {cf_training.TRAINED_ON_HELD_OUT: False}

    found = guard.verdict(noise, good, ratings)

    assert found["guard_passed"] is True and "guard_ndcg" not in found
    assert guard.explain(found) == (f"passed without a comparison: v{good.pk} was trained on the held-out ratings "
                                    "and this version was not")
    noise.evaluation = {cf_training.TRAINED_ON_HELD_OUT: True}  # like with like: compared, and held back
    assert guard.verdict(noise, good, ratings)["guard_passed"] is False


def test_without_an_active_version_there_is_nothing_to_compare():
    assert guard.verdict(ModelVersion(pk=2), None, None) == {}


def test_an_equal_version_passes(ratings):
    first, second = spectral_version(ratings), spectral_version(ratings)
    found = guard.verdict(second, first, ratings)
    assert found["guard_passed"] is True and found["guard_ndcg"] == found["guard_active_ndcg"]


def test_a_users_held_out_ratings_stay_held_out_whatever_other_users_add_and_in_any_row_order(ratings):
    # The rows both versions' pipelines held out are the same: a hash of (user, movie) picks them, not their place.
    def held(rows):
        _, out = stable_split_ratings(rows, cf_training.VALIDATION_SEED, cf_training.VALIDATION_SHARE)
        return set(zip(out.users.tolist(), out.movies.tolist()))

    newcomer = Ratings(np.full(40, ratings.users.max() + 1), np.unique(ratings.movies)[:40], np.full(40, 4.0))
    order = np.random.default_rng(1).permutation(len(ratings))
    grown = Ratings(*(np.concatenate([getattr(newcomer, name), getattr(ratings.subset(order), name)])
                      for name in ("users", "movies", "values")))
    assert held(ratings) == {row for row in held(grown) if row[0] != newcomer.users[0]}
    counts = np.bincount(ratings.users)
    assert len(held(ratings)) == sum(n - round(cf_training.VALIDATION_SHARE * n) for n in counts[counts > 0])


# A softmax tower that barely moves from its random start: picks far worse than EASE's.
POOR = {"rank_model": "softmax", "rank_dimensions": 8, "rank_epochs": 1, "learning_rate": 1e-6, "dimensions": 4,
        "max_epochs": 2}


def test_a_retrain_held_back_by_the_guard_stays_inactive_and_its_run_says_why(ratings):
    active = versions.activate(spectral_version(ratings))
    run = TrainingRun.objects.create(kind=ModelKind.RATINGS, parameters=POOR)
    execute_run(run.pk)
    run.refresh_from_db()
    held_back = run.model_version
    assert run.status == TrainingRun.Status.SUCCEEDED and not held_back.is_active
    assert versions.active_version(ModelKind.RATINGS) == active
    assert held_back.evaluation["guard_passed"] is False and run.evaluation["guard_passed"] is False
    assert run.stage.startswith(f"done: v{held_back.pk} kept inactive, held back: picks nDCG@10")


def test_a_retrain_no_worse_than_the_active_version_is_activated(ratings):
    first = TrainingRun.objects.create(kind=ModelKind.RATINGS, parameters={"max_epochs": 2, "dimensions": 4})
    execute_run(first.pk)
    second = TrainingRun.objects.create(kind=ModelKind.RATINGS, parameters={"max_epochs": 2, "dimensions": 4})
    execute_run(second.pk)
    second.refresh_from_db()
    assert second.model_version.is_active and second.model_version.evaluation["guard_passed"] is True
    assert second.model_version.evaluation["guard_active_version"] == first.model_version.pk
    assert second.stage == "done"


def test_the_first_retrain_past_the_second_pass_size_is_activated_without_a_comparison(ratings, monkeypatch):
    first = TrainingRun.objects.create(kind=ModelKind.RATINGS, parameters={"max_epochs": 2, "dimensions": 4})
    execute_run(first.pk)
    monkeypatch.setattr(cf_training, "RETRAIN_MAX_ROWS", len(ratings) - 1)  # the data "grew" past it
    second = TrainingRun.objects.create(kind=ModelKind.RATINGS, parameters={"max_epochs": 2, "dimensions": 4})

    execute_run(second.pk)

    second.refresh_from_db()
    old, new = ModelVersion.objects.get(training_run=first), second.model_version
    assert old.evaluation[cf_training.TRAINED_ON_HELD_OUT] is True
    assert new.evaluation[cf_training.TRAINED_ON_HELD_OUT] is False
    assert new.is_active and new.evaluation["guard_skipped"].startswith(f"v{old.pk} was trained on the held-out")
