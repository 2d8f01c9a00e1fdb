"""Training a run (`execute_run`, in a worker or a command) with the trainer of its kind: read the data, train,
evaluate, write and activate a new version.

Each trainer takes a TrainingRun, records every epoch on it (`run.record`, and to TensorBoard, under
TENSORBOARD_DIR), and ends by activating the version it wrote (a CF version only when the regression guard of
ml/training/guard.py passes it) and exporting its movie vectors for the Embedding Projector (under MODEL_DIR).
TensorFlow is imported only by the model modules, in workers.
A worker that dies mid-run leaves no version half-written or active (versions.py); its run is ended failed by
the sweep of work/recovery.py, and a redelivered task finds it no longer queued.
"""
from collections.abc import Callable
from pathlib import Path

import numpy as np
from django.conf import settings
from django.utils import timezone

from ml import versions
from ml.models import ModelKind, TrainingRun
from ml.training import cf_training, data, guard, projector
from work import lifecycle
from work.lifecycle import JobFailed

MIN_MOVIES_PER_LINK = 2  # a link target of a single movie says nothing of which movies are alike
RETRAIN_MAX_PAIRS = 2_000_000  # links trained on again, all of them, after the held-out run (as cf_training's)


class TrainingFailed(JobFailed):
    """A training run cannot go on (no data, bad parameters); the run shows this message."""


def execute_run(run_id: int, *, on_epoch: Callable[[TrainingRun], None] | None = None) -> TrainingRun:
    """Train now, in this process. The run ends succeeded (with a new version, active unless its trainer says
    otherwise in the run's last stage) or failed.

    Only a queued run is trained: a task redelivered after its worker died finds its run failed
    (or finished) and leaves it as it is.
    """
    def train(run: TrainingRun) -> dict:
        ending = TRAINERS[ModelKind(run.kind)](run, on_epoch=on_epoch)
        return {"stage": ending} if ending else {}

    return lifecycle.run(TrainingRun, run_id, train, stage="loading data")


def train_ratings(run: TrainingRun, *, on_epoch=None) -> str | None:
    """Collaborative filtering on every rating in the database, through ml/training/cf_training.py's pipeline:
    held-out rows for early stopping and the version's evaluation, then (on releases that are not too large) all
    ratings; the regression guard decides whether the new version is activated."""
    stored = data.load_ratings()
    if len(stored) == 0:
        raise TrainingFailed("there are no ratings to train on: import MovieLens first")
    from ml.training import collaborative  # TensorFlow: only now, in the worker

    params = {**collaborative.DEFAULT_PARAMS, **run.parameters}
    run.record(parameters=params)
    ratings = cf_training.as_ratings(stored.user_ids, stored.movie_ids, stored.values)
    del stored
    fit_rows = round(len(ratings) * cf_training.VALIDATION_SHARE)
    sizes = collaborative.schedule(params, n_rows=fit_rows, n_users=len(np.unique(ratings.users)),
                                   n_movies=len(np.unique(ratings.movies)))
    spectral = params["rank_model"] == "spectral"
    rank_epochs = len(params["spectral_lambdas"]) + 2 if spectral else sizes["rank_epochs"]
    towers = {"rating": sizes["rating_epochs"], "ranking": rank_epochs if params["rank_dimensions"] else 0}
    # The phases share the progress bar: about 60 % and 30 % with a second pass, 90 % without.
    shares = ({"validating": (0.0, 0.6), "training on all ratings": (0.6, 0.3)}
              if cf_training.retrains_on_all(len(ratings)) else {"validating": (0.0, 0.9)})
    reporters = {phase: _reporter(run, phase, *span, towers, on_epoch) for phase, span in shares.items()}

    def report(phase, epoch, metrics):
        reporters[phase](epoch, metrics)

    tensorboard = _tensorboard_logs(run)
    fitted = cf_training.fit_ratings_model(ratings, params, on_epoch=report,
                                           callbacks=lambda phase: tensorboard(phase))
    final, everything = fitted.model, fitted.catalog
    _stage(run, on_epoch, stage="saving vectors", progress=0.92, evaluation=fitted.evaluation)
    version = versions.save_version(
        kind=ModelKind.RATINGS, training_run=run, parameters=params, evaluation=fitted.evaluation,
        global_bias=final.global_bias,
        movie_ids=everything.movie_ids, movie_vectors=final.movie_vectors, movie_bias=final.movie_bias,
        rank_movie_vectors=final.rank_movie_vectors, rank_movie_bias=final.rank_movie_bias,
        user_ids=everything.user_ids, user_vectors=final.user_vectors, user_bias=final.user_bias,
        rank_user_vectors=final.rank_user_vectors)
    _stage(run, on_epoch, stage="comparing with the active version", progress=0.94)
    checked = guard.verdict(version, versions.active_version(ModelKind.RATINGS), ratings)
    if checked:
        version.evaluation |= checked
        version.save(update_fields=["evaluation"])
        run.record(evaluation={**fitted.evaluation, **checked})
    passed = checked.get("guard_passed", True)
    _finish(run, version, activate=passed, on_epoch=on_epoch)
    return None if passed else f"done: v{version.pk} kept inactive, {guard.explain(checked)}"


def _finish(run: TrainingRun, version, *, activate: bool = True, on_epoch=None) -> None:
    """Activate the new version (unless the regression guard held it back), then export it for the Embedding
    Projector."""
    if activate:
        versions.activate(version)
    _stage(run, on_epoch, stage="exporting for the Embedding Projector", progress=0.97)
    projector.export_projector(version)


def _stage(run: TrainingRun, on_epoch, **fields) -> None:
    """Record a stage on the run and tell the follower (``on_epoch``, which the command prints a line per stage
    from)."""
    run.record(**fields)
    if on_epoch:
        on_epoch(run)


def _tensorboard_logs(run: TrainingRun):
    """A factory of TensorBoard callbacks, ``logs(phase)(part)``, writing to TENSORBOARD_DIR/<kind>-run-<id>/<phase>/
    <part> (the part: a tower of the CF model; the link model has one)."""
    def for_phase(phase: str):
        def callbacks(part: str = "") -> list:
            from ml.training.collaborative import _tensorflow

            _, keras = _tensorflow()
            directory = Path(settings.TENSORBOARD_DIR) / f"{run.kind}-run-{run.pk}" / phase.replace(" ", "-") / part
            return [keras.callbacks.TensorBoard(log_dir=str(directory), write_graph=False, profile_batch=0)]

        return callbacks

    return for_phase


# The ranking tower's epochs take about twice as long as the rating tower's (a softmax over all movies).
TOWER_COST = {"rating": 1.0, "ranking": 2.0}


def _reporter(run: TrainingRun, phase: str, start: float, share: float, epochs: dict, on_epoch):
    """An on_epoch callback that records the epoch's metrics on the run and moves its progress, with the time
    left at the pace so far in its stage ("about 3 min left").

    ``epochs`` are the (most) epochs of each part of the phase; the phase spans ``share`` of the progress bar
    from ``start``, each part in proportion to its expected cost.
    """
    costs = {part: TOWER_COST.get(part, 1.0) * count for part, count in epochs.items()}
    order, total = list(costs), sum(costs.values()) or 1.0
    began = run.started_at or timezone.now()

    def report(epoch: int, metrics: dict) -> None:
        part = metrics.get("tower", "")
        entry = {"phase": phase, "epoch": epoch,
                 **{k: v if isinstance(v, str) else round(float(v), 5) for k, v in metrics.items()}}
        run.epochs = [*run.epochs, entry]
        before = sum(costs[name] for name in order[:order.index(part)]) if part in costs else 0.0
        within = costs.get(part, 0.0) * min(1.0, epoch / max(epochs.get(part, 1), 1))
        stage = f"{phase}: {part} epoch {epoch}" if part else f"{phase}: epoch {epoch}"
        progress = round(start + share * (before + within) / total, 3)
        run.record(epochs=run.epochs, stage=stage + time_left(began, progress), progress=progress)
        if on_epoch:
            on_epoch(run)

    return report


def time_left(began, progress: float) -> str:
    """" · about N min left" at the pace since ``began`` (a datetime), once there is a pace to go by."""
    if not 0.02 <= progress < 1:
        return ""
    seconds = (timezone.now() - began).total_seconds() * (1 - progress) / progress
    return f" · about {round(seconds)} s left" if seconds < 90 else f" · about {round(seconds / 60)} min left"


def train_links(run: TrainingRun, *, on_epoch=None) -> None:
    """Link embeddings on every Wikipedia link shared by at least two movies.

    First with a tenth of the links of well-linked movies held out, stopping at the best validation loss; then,
    with at most ``RETRAIN_MAX_PAIRS`` pairs, on all links for that many epochs (past that, a second pass would
    double a long training for a tenth more links: the first model is kept). The version's evaluation is the
    held-out loss and accuracy.
    """
    from ml.training import links  # TensorFlow: only now, in the worker

    params = {**links.DEFAULT_PARAMS, "min_movies_per_link": MIN_MOVIES_PER_LINK, **run.parameters}
    _stage(run, on_epoch, parameters=params, stage="loading links", progress=0.0)
    pairs = data.load_links(min_movies=params.pop("min_movies_per_link"))
    if len(pairs) == 0:
        raise TrainingFailed("there are no Wikipedia links shared by two movies to train on: "
                             "import a Wikipedia dump first (manage.py import_wikipedia)")
    movie_ids, movies = np.unique(pairs.movie_ids, return_inverse=True)
    tensorboard = _tensorboard_logs(run)
    sizes = dict(n_movies=len(movie_ids), n_links=pairs.n_links)
    again = len(pairs) <= RETRAIN_MAX_PAIRS
    epochs = links.schedule(params, round(len(pairs) * (1 - links.HOLD_OUT_SHARE)))["max_epochs"]
    _stage(run, on_epoch, stage=f"validating: {len(pairs):,} links of {len(movie_ids):,} movies to "
                                f"{pairs.n_links:,} pages", progress=0.0)
    trial = links.train(movies, pairs.links, **sizes, params=params, callbacks=tensorboard("validating")(),
                        on_epoch=_reporter(run, "validating", 0.0, 0.6 if again else 0.9, {"": epochs}, on_epoch))
    best = next(entry for entry in trial.history if entry["epoch"] == trial.epochs)
    final = trial
    if again:
        final = links.train(movies, pairs.links, **sizes, validate=False, params={**params, "epochs": trial.epochs},
                            callbacks=tensorboard("all links")(),
                            on_epoch=_reporter(run, "training on all links", 0.6, 0.3, {"": trial.epochs}, on_epoch))
    evaluation = {"val_loss": best["val_loss"], "val_accuracy": best["val_accuracy"], "epochs": trial.epochs,
                  "movies": len(movie_ids), "links": pairs.n_links, "pairs": len(pairs), "second_pass": again,
                  "training_seconds": round(trial.seconds + (final.seconds if again else 0.0), 1)}
    _stage(run, on_epoch, stage="saving vectors", progress=0.92, evaluation=evaluation)
    version = versions.save_version(kind=ModelKind.LINKS, training_run=run, parameters=params, evaluation=evaluation,
                                    movie_ids=movie_ids, movie_vectors=final.movie_vectors)
    _finish(run, version, on_epoch=on_epoch)


TRAINERS = {ModelKind.RATINGS: train_ratings, ModelKind.LINKS: train_links}
