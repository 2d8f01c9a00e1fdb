"""The collaborative-filtering model's whole training pipeline, from every rating to the model to serve: held-out
ratings for early stopping and λ, then all ratings. `manage.py retrain ratings` and bench/quality.py and
bench/scale.py run this same function, so what they measure is what the site serves. Steps: ml/README.md.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.training.evaluation import Catalog, Ratings, stable_split_ratings

VALIDATION_SEED, VALIDATION_SHARE = 43, 0.9
RETRAIN_MAX_ROWS = 2_000_000
TRAINED_ON_HELD_OUT = "trained_on_held_out"  # in a version's evaluation: a second pass included the held-out rows
LAMBDA_FOLDS = 5  # held-out splits (seeds 43, 44, …) the spectral λ is averaged over before the second pass


@dataclass
class FittedCF:
    """The model to serve (``TrainedCF``, in the indices of ``catalog``), its held-out metrics and the model of
    step 2 (``trial``, the same object when there was no second pass)."""

    model: object
    catalog: Catalog
    evaluation: dict
    trial: object


def fit_ratings_model(ratings: Ratings, params: dict, *, on_epoch=None, callbacks=None) -> FittedCF:
    """Run the pipeline above on ``ratings`` with ``params`` (over ``collaborative.DEFAULT_PARAMS``).

    ``on_epoch(phase, epoch, metrics)`` follows every epoch; phase is "validating" or "training on all ratings".
    ``callbacks(phase)`` gives the Keras callbacks of a phase, as ``collaborative.train`` takes them.
    """
    from ml.training import collaborative  # TensorFlow: only now, in the worker

    params = {**collaborative.DEFAULT_PARAMS, **params}
    fit, valid = stable_split_ratings(ratings, VALIDATION_SEED, VALIDATION_SHARE)
    catalog = Catalog.from_ratings(fit)

    def phase_hooks(phase):
        report = None if on_epoch is None else (lambda epoch, metrics: on_epoch(phase, epoch, metrics))
        return dict(on_epoch=report, callbacks=callbacks(phase) if callbacks else None)

    trial = collaborative.train(
        collaborative.rating_arrays(fit, catalog), collaborative.rating_arrays(valid, catalog), params=params,
        n_users=catalog.n_users, n_movies=catalog.n_movies, **phase_hooks("validating"))
    evaluation = held_out_metrics(trial)
    # Whether the model served has seen the held-out ratings: the regression guard compares only like with like.
    evaluation[TRAINED_ON_HELD_OUT] = retrains_on_all(len(ratings))
    if not evaluation[TRAINED_ON_HELD_OUT]:
        evaluation["training_seconds"] = round(trial.seconds, 1)
        return FittedCF(trial, catalog, evaluation, trial)
    everything = Catalog.from_ratings(ratings)
    chosen = {"rating_epochs": trial.epochs["rating"], "rank_epochs": trial.epochs.get("ranking", 1),
              "spectral_lambda": trial.rank_lambda}
    if trial.rank_model == "spectral":
        chosen["spectral_lambda"] = evaluation["spectral_lambda"] = lambda_over_folds(ratings, trial)
    final = collaborative.train(
        collaborative.rating_arrays(ratings, everything), params={**params, **chosen},
        n_users=everything.n_users, n_movies=everything.n_movies, **phase_hooks("training on all ratings"))
    evaluation["training_seconds"] = round(trial.seconds + final.seconds, 1)
    return FittedCF(final, everything, evaluation, trial)


def lambda_over_folds(ratings: Ratings, trial, folds: int = LAMBDA_FOLDS) -> float:
    """The λ of those ``trial`` scored (on the held-out split of seed 43) whose held-out nDCG@10, averaged over
    that split and ``folds − 1`` more (seeds 44, 45, …), is the highest."""
    from ml.training import collaborative

    scored = {entry["lambda"]: [entry["val_ndcg"]] for entry in trial.history
              if entry["tower"] == "ranking" and "val_ndcg" in entry}
    for seed in range(VALIDATION_SEED + 1, VALIDATION_SEED + folds):
        fit, valid = stable_split_ratings(ratings, seed, VALIDATION_SHARE)
        catalog = Catalog.from_ratings(fit)
        fold = collaborative.spectral_lambda_scores(
            collaborative.rating_arrays(fit, catalog), collaborative.rating_arrays(valid, catalog), list(scored),
            n_users=catalog.n_users, n_movies=catalog.n_movies)
        for lam, ndcg in fold.items():
            scored[lam].append(ndcg)
    return max(scored, key=lambda lam: (np.mean(scored[lam]), -lam))


def retrains_on_all(n_ratings: int) -> bool:
    """Whether step 3 runs for this many ratings."""
    return n_ratings <= RETRAIN_MAX_ROWS


def held_out_metrics(trial) -> dict:
    """Held-out metrics of the epochs kept: RMSE and MAE of the rating tower, ranking metrics of the tower that
    gives the picks, and the epochs of each."""
    by_epoch = {(entry["tower"], entry["epoch"]): entry for entry in trial.history}
    rating = by_epoch.get(("rating", trial.epochs["rating"]), {})
    ranking = by_epoch.get(("ranking", trial.epochs["ranking"]), {}) if "ranking" in trial.epochs else rating
    metrics = {name: rating.get(f"val_{name}") for name in ("rmse", "mae")}
    metrics |= {name: ranking.get(f"val_{name}") for name in ("ndcg", "precision", "recall", "map")}
    metrics |= {"epochs_rating": trial.epochs["rating"], "epochs_ranking": trial.epochs.get("ranking"),
                "spectral_lambda": trial.rank_lambda}
    return {name: value for name, value in metrics.items() if value is not None}


def as_ratings(user_ids: np.ndarray, movie_ids: np.ndarray, values: np.ndarray) -> Ratings:
    """The ratings read from the database (ml/training/data.py) in the evaluation protocol's form."""
    return Ratings(user_ids, movie_ids, values.astype(np.float64))
