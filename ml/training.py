"""Trainers, one per model kind: read the data, train, evaluate, write and activate a new version.

Each trainer takes a TrainingRun, records every epoch on it (`run.record`, and to TensorBoard, under
TENSORBOARD_DIR), and ends by activating the version it wrote and exporting its movie vectors for the
Embedding Projector (under MODEL_DIR). TensorFlow is imported only by the model modules, in workers.
"""
from pathlib import Path

import numpy as np
from django.conf import settings

from ml import data, projector, runs, versions
from ml.evaluation import Catalog, Ratings, split_ratings
from ml.models import ModelKind, TrainingRun

VALIDATION_SEED, VALIDATION_SHARE = 43, 0.9  # 10% of each user's ratings, at random, for early stopping
MIN_MOVIES_PER_LINK = 2  # a link target of a single movie says nothing of which movies are alike


def train_ratings(run: TrainingRun, *, on_epoch=None) -> None:
    """Collaborative filtering on every rating in the database.

    First on 90% of each user's ratings, stopping each tower at its best epoch on the other 10%
    (whose metrics become the version's evaluation); then on all ratings for those epochs.
    """
    stored = data.load_ratings()
    if len(stored) == 0:
        raise runs.TrainingFailed("there are no ratings to train on: import MovieLens first")
    from ml import collaborative  # TensorFlow: only now, in the worker

    params = {**collaborative.DEFAULT_PARAMS, **run.parameters}
    tensorboard = _tensorboard_logs(run)
    run.record(parameters=params)
    ratings = Ratings(stored.user_ids, stored.movie_ids, stored.values.astype(np.float64))
    fit, valid = split_ratings(ratings, VALIDATION_SEED, VALIDATION_SHARE)
    catalog = Catalog.from_ratings(fit)
    # The two passes share the progress bar: about 60% for the first, 30% for the second.
    rank_epochs = params["rank_epochs"] or params["max_epochs"]
    towers = {"rating": params["max_epochs"], "ranking": rank_epochs if params["rank_dimensions"] else 0}
    trial = collaborative.train(
        collaborative.rating_arrays(fit, catalog), collaborative.rating_arrays(valid, catalog), params=params,
        n_users=catalog.n_users, n_movies=catalog.n_movies, callbacks=tensorboard("validating"),
        on_epoch=_reporter(run, "validating", 0.0, 0.6, towers, on_epoch))
    evaluation = _best_metrics(trial)

    everything = Catalog.from_ratings(ratings)
    chosen = {"rating_epochs": trial.epochs["rating"], "rank_epochs": trial.epochs.get("ranking", 1)}
    towers = {"rating": chosen["rating_epochs"], "ranking": chosen["rank_epochs"] if "ranking" in trial.epochs else 0}
    final = collaborative.train(
        collaborative.rating_arrays(ratings, everything), params={**params, **chosen},
        n_users=everything.n_users, n_movies=everything.n_movies, callbacks=tensorboard("all ratings"),
        on_epoch=_reporter(run, "training on all ratings", 0.6, 0.3, towers, on_epoch))
    evaluation["training_seconds"] = round(trial.seconds + final.seconds, 1)
    run.record(stage="saving vectors", progress=0.92, evaluation=evaluation)
    version = versions.save_version(
        kind=ModelKind.RATINGS, training_run=run, parameters=params, evaluation=evaluation,
        global_bias=final.global_bias,
        movie_ids=everything.movie_ids, movie_vectors=final.movie_vectors, movie_bias=final.movie_bias,
        rank_movie_vectors=final.rank_movie_vectors, rank_movie_bias=final.rank_movie_bias,
        user_ids=everything.user_ids, user_vectors=final.user_vectors, user_bias=final.user_bias,
        rank_user_vectors=final.rank_user_vectors)
    _finish(run, version)


def _finish(run: TrainingRun, version) -> None:
    """Activate the new version, then export it for the Embedding Projector."""
    versions.activate(version)
    run.record(stage="exporting for the Embedding Projector", progress=0.97)
    projector.export_projector(version)


def _tensorboard_logs(run: TrainingRun):
    """A factory of TensorBoard callbacks, ``logs(phase)(part)``, writing to TENSORBOARD_DIR/<kind>-run-<id>/<phase>/
    <part> (the part: a tower of the CF model; the link model has one)."""
    def for_phase(phase: str):
        def callbacks(part: str = "") -> list:
            from ml.collaborative import _tensorflow

            _, keras = _tensorflow()
            directory = Path(settings.TENSORBOARD_DIR) / f"{run.kind}-run-{run.pk}" / phase.replace(" ", "-") / part
            return [keras.callbacks.TensorBoard(log_dir=str(directory), write_graph=False, profile_batch=0)]

        return callbacks

    return for_phase


# The ranking tower's epochs take about twice as long as the rating tower's (a softmax over all movies).
TOWER_COST = {"rating": 1.0, "ranking": 2.0}


def _reporter(run: TrainingRun, phase: str, start: float, share: float, epochs: dict, on_epoch):
    """An on_epoch callback that records the epoch's metrics on the run and moves its progress.

    ``epochs`` are the (most) epochs of each part of the phase; the phase spans ``share`` of the progress bar
    from ``start``, each part in proportion to its expected cost.
    """
    costs = {part: TOWER_COST.get(part, 1.0) * count for part, count in epochs.items()}
    order, total = list(costs), sum(costs.values()) or 1.0

    def report(epoch: int, metrics: dict) -> None:
        part = metrics.get("tower", "")
        entry = {"phase": phase, "epoch": epoch,
                 **{k: v if isinstance(v, str) else round(float(v), 5) for k, v in metrics.items()}}
        run.epochs = [*run.epochs, entry]
        before = sum(costs[name] for name in order[:order.index(part)]) if part in costs else 0.0
        within = costs.get(part, 0.0) * min(1.0, epoch / max(epochs.get(part, 1), 1))
        stage = f"{phase}: {part} epoch {epoch}" if part else f"{phase}: epoch {epoch}"
        run.record(epochs=run.epochs, stage=stage, progress=round(start + share * (before + within) / total, 3))
        if on_epoch:
            on_epoch(run)

    return report


def _best_metrics(trial) -> dict:
    """Validation metrics of the epochs kept: RMSE and MAE of the rating tower, ranking metrics of the tower that
    gives the picks."""
    by_epoch = {(entry["tower"], entry["epoch"]): entry for entry in trial.history}
    rating = by_epoch.get(("rating", trial.epochs["rating"]), {})
    ranking = by_epoch.get(("ranking", trial.epochs["ranking"]), {}) if "ranking" in trial.epochs else rating
    metrics = {name: rating.get(f"val_{name}") for name in ("rmse", "mae")}
    metrics |= {name: ranking.get(f"val_{name}") for name in ("ndcg", "precision", "recall", "map")}
    metrics |= {"epochs_rating": trial.epochs["rating"], "epochs_ranking": trial.epochs.get("ranking")}
    return {name: value for name, value in metrics.items() if value is not None}


def train_links(run: TrainingRun, *, on_epoch=None) -> None:
    """Link embeddings on every Wikipedia link shared by at least two movies.

    First with a tenth of the links of well-linked movies held out, stopping at the best validation loss; then
    on all links for that many epochs. The version's evaluation is the held-out loss and accuracy.
    """
    from ml import links  # TensorFlow: only now, in the worker

    params = {**links.DEFAULT_PARAMS, "min_movies_per_link": MIN_MOVIES_PER_LINK, **run.parameters}
    run.record(parameters=params)
    pairs = data.load_links(min_movies=params.pop("min_movies_per_link"))
    if len(pairs) == 0:
        raise runs.TrainingFailed("there are no Wikipedia links shared by two movies to train on: "
                                  "import a Wikipedia dump first (manage.py import_wikipedia)")
    movie_ids, movies = np.unique(pairs.movie_ids, return_inverse=True)
    tensorboard = _tensorboard_logs(run)
    sizes = dict(n_movies=len(movie_ids), n_links=pairs.n_links)
    trial = links.train(movies, pairs.links, **sizes, params=params, callbacks=tensorboard("validating")(),
                        on_epoch=_reporter(run, "validating", 0.0, 0.6, {"": params["max_epochs"]}, on_epoch))
    best = next(entry for entry in trial.history if entry["epoch"] == trial.epochs)
    final = links.train(movies, pairs.links, **sizes, validate=False, params={**params, "epochs": trial.epochs},
                        callbacks=tensorboard("all links")(),
                        on_epoch=_reporter(run, "training on all links", 0.6, 0.3, {"": trial.epochs}, on_epoch))
    evaluation = {"val_loss": best["val_loss"], "val_accuracy": best["val_accuracy"], "epochs": trial.epochs,
                  "movies": len(movie_ids), "links": pairs.n_links, "pairs": len(pairs),
                  "training_seconds": round(trial.seconds + final.seconds, 1)}
    run.record(stage="saving vectors", progress=0.92, evaluation=evaluation)
    version = versions.save_version(kind=ModelKind.LINKS, training_run=run, parameters=params, evaluation=evaluation,
                                    movie_ids=movie_ids, movie_vectors=final.movie_vectors)
    _finish(run, version)


TRAINERS = {ModelKind.RATINGS: train_ratings, ModelKind.LINKS: train_links}
