"""The CF training pipeline that `manage.py retrain ratings` and the quality benchmarks share
(ml/training/cf_training.py).
Run with ``-p no:django`` too; on small planted data, a few seconds a test."""
import numpy as np

from ml.training import cf_training
from ml.training.evaluation import stable_split_ratings
from tests.ml.test_collaborative import (  # noqa: F401  (the fixtures: no database here)
    PARAMS,
    fresh_state,
    planted_ratings,
    progress_uses_the_test_connection,
)

SPECTRAL = {**PARAMS, "rank_model": "spectral"}  # the default picks model


def test_small_releases_are_trained_again_on_all_ratings_for_the_epochs_chosen_on_the_held_out_ones():
    ratings = planted_ratings()
    phases = []
    fitted = cf_training.fit_ratings_model(ratings, SPECTRAL, on_epoch=lambda phase, epoch, m: phases.append(phase))
    assert fitted.model is not fitted.trial
    assert fitted.catalog.n_users == len(np.unique(ratings.users))  # every user, held-out rows included
    assert fitted.model.epochs["rating"] == fitted.trial.epochs["rating"]
    # The λ chosen on the held-out rows of several splits, among those the first split scored.
    assert fitted.model.rank_lambda == fitted.evaluation["spectral_lambda"] == cf_training.lambda_over_folds(
        ratings, fitted.trial)
    assert fitted.model.rank_lambda in {entry.get("lambda") for entry in fitted.trial.history}
    assert phases == sorted(phases, key=["validating", "training on all ratings"].index) and len(set(phases)) == 2
    fit, valid = stable_split_ratings(ratings, cf_training.VALIDATION_SEED, cf_training.VALIDATION_SHARE)
    assert len(valid) > 0 and fitted.evaluation["epochs_rating"] == fitted.trial.epochs["rating"]
    for name in ("rmse", "mae", "ndcg", "precision", "recall", "map", "training_seconds"):
        assert np.isfinite(fitted.evaluation[name]), name


def test_on_one_split_the_lambda_over_folds_is_the_trials_own_choice():
    trial = cf_training.fit_ratings_model(planted_ratings(), SPECTRAL).trial
    assert cf_training.lambda_over_folds(planted_ratings(), trial, folds=1) == trial.rank_lambda


def test_large_releases_keep_the_model_trained_beside_the_held_out_ratings(monkeypatch):
    ratings = planted_ratings()
    monkeypatch.setattr(cf_training, "RETRAIN_MAX_ROWS", len(ratings) - 1)
    phases = set()
    fitted = cf_training.fit_ratings_model(ratings, PARAMS, on_epoch=lambda phase, epoch, m: phases.add(phase))
    assert fitted.model is fitted.trial and phases == {"validating"}
    fit, _ = stable_split_ratings(ratings, cf_training.VALIDATION_SEED, cf_training.VALIDATION_SHARE)
    assert fitted.catalog.n_movies == len(np.unique(fit.movies))
