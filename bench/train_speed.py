"""Training speed of the collaborative-filtering model against the Keras example's way, on MovieLens.

    .venv/bin/python -m bench.train_speed [--ratings PATH] [--rounds N] [--out FILE]

Bar (issue 4): CF training reaches the same validation RMSE at least 10× faster (wall clock) than the Keras
example's way: ``model.fit`` on numpy arrays, batch 64, 5 epochs (its architecture with the per-example dot
product: 50-dimensional user and movie embeddings and biases, sigmoid, binary cross-entropy, Adam 1e-3).

Both train on the fit part of the protocol's validation split (../shared/EVALUATION.md: train = 75 % of each
user's ratings, seed 42; fit = 80 % of train, seed 43) and are judged on its valid part. In each round, in one
process and one after the other, the Keras example trains for its 5 epochs (time T and validation RMSE R), then
our ``ml.training.collaborative.train`` runs with the product's parameters (DEFAULT_PARAMS: the rating tower, then the
ranking tower, early stopping on validation); its time is the wall clock from the call until the end of the first
rating-tower epoch whose validation RMSE is ≤ R, model building, data pipeline and per-epoch validation
included. TensorFlow is imported before either clock starts. The ratio T / ours is reported per round and as the
median over the rounds (default 2; the order alternates so that neither always runs on a warmer machine).

Prints everything and writes Markdown (default bench/results/train_speed.md) with the machine and date.
"""
import argparse
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench.report import REPO, Report, machine  # noqa: E402
from ml.training import collaborative  # noqa: E402
from ml.training.evaluation import Catalog, Ratings, split_ratings  # noqa: E402

RATINGS = REPO.parent / "shared" / "data" / "ml-latest-small" / "ratings.csv"
RESULTS = REPO / "bench" / "results" / "train_speed.md"
SPEED_BAR = 10.0
SEED = 0


def keras_example(fit_arrays, valid_arrays, n_users, n_movies) -> tuple[float, float]:
    """The Keras example's training; returns (seconds of model.fit, validation RMSE after its 5 epochs)."""
    tf, keras = collaborative._tensorflow()
    keras.utils.set_random_seed(SEED)
    users, movies = keras.Input((), dtype="int32"), keras.Input((), dtype="int32")

    def vectors(n):
        return keras.layers.Embedding(n, 50, embeddings_initializer="he_normal",
                                      embeddings_regularizer=keras.regularizers.l2(1e-6))

    dot = keras.ops.sum(vectors(n_users)(users) * vectors(n_movies)(movies), axis=-1)
    logit = dot + keras.layers.Embedding(n_users, 1)(users)[:, 0] + keras.layers.Embedding(n_movies, 1)(movies)[:, 0]
    model = keras.Model([users, movies], keras.ops.sigmoid(logit))
    model.compile(loss=keras.losses.BinaryCrossentropy(), optimizer=keras.optimizers.Adam(1e-3))
    u, m, r = fit_arrays
    start = time.perf_counter()
    model.fit([u, m], (r - 0.5) / 4.5, batch_size=64, epochs=5, verbose=0)
    seconds = time.perf_counter() - start
    vu, vm, vr = valid_arrays
    predicted = 0.5 + 4.5 * model.predict([vu, vm], batch_size=8192, verbose=0).ravel()
    return seconds, float(np.sqrt(np.mean((predicted - vr) ** 2)))


class TargetReached(Exception):
    """Stops our training once the target RMSE is reached: the rest is not part of the measurement."""


def ours(fit_arrays, valid_arrays, n_users, n_movies, target_rmse: float) -> tuple[float | None, int, list]:
    """Our training with the product's parameters; returns (seconds to reach target_rmse or None, epoch, history)."""
    history, start = [], time.perf_counter()

    def on_epoch(epoch, metrics):
        history.append((metrics["tower"], epoch, metrics.get("val_rmse"), time.perf_counter() - start))
        if metrics["tower"] == "rating" and metrics["val_rmse"] <= target_rmse:
            raise TargetReached

    try:
        collaborative.train(fit_arrays, valid_arrays, seed=SEED, on_epoch=on_epoch, n_users=n_users,
                            n_movies=n_movies)
    except TargetReached:
        _, epoch, _, seconds = history[-1]
        return seconds, epoch, history
    return None, 0, history


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ratings", type=Path, default=RATINGS, help="a MovieLens ratings.csv")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS, help="the Markdown report")
    args = parser.parse_args()
    report = Report()
    report("# Training speed: our CF model against the Keras example's way")
    report()
    report(f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    report(f"- Machine: {machine(tensorflow=True)}; load average before: {os.getloadavg()[0]:.2f}")
    options = ("" if args.ratings == RATINGS else f" --ratings {args.ratings}") + (
        "" if args.rounds == 2 else f" --rounds {args.rounds}")
    report(f"- Command: `.venv/bin/python -m bench.train_speed{options}`")

    ratings = Ratings.from_csv(args.ratings)
    train, _ = split_ratings(ratings)
    fit, valid = split_ratings(train, 43, 0.8)
    catalog = Catalog.from_ratings(fit)
    fit_arrays, valid_arrays = (collaborative.rating_arrays(r, catalog) for r in (fit, valid))
    sizes = (catalog.n_users, catalog.n_movies)
    report(f"- Data: `{args.ratings}`: fit {len(fit_arrays[0]):,} ratings, valid {len(valid_arrays[0]):,} "
           f"(the protocol's validation split); {catalog.n_users} users, {catalog.n_movies:,} movies.")
    report(f"- Ours: `ml.training.collaborative.train` with DEFAULT_PARAMS: {collaborative.DEFAULT_PARAMS}")
    report()

    rows, ratios = [], []
    for round_ in range(args.rounds):
        results = {}
        order = ("keras", "ours") if round_ % 2 == 0 else ("ours", "keras")
        for who in order:
            if who == "keras":
                results["keras"] = keras_example(fit_arrays, valid_arrays, *sizes)
            else:
                # The target: the Keras example's RMSE of this round, or of the round before when ours runs first.
                target = results["keras"][1] if "keras" in results else rows[-1][3]
                results["ours"] = ours(fit_arrays, valid_arrays, *sizes, target)
        (keras_seconds, keras_rmse), (our_seconds, epoch, history) = results["keras"], results["ours"]
        ratio = keras_seconds / our_seconds if our_seconds else None
        ratios.append(ratio)
        reached = next((r for tower, e, r, _ in history if tower == "rating" and e == epoch), None)
        first_epoch = history[0][3]
        rows.append((round_ + 1, " then ".join(order), keras_seconds, keras_rmse, first_epoch, our_seconds, epoch,
                     reached, ratio))
        print(f"round {round_ + 1}: keras {keras_seconds:.1f} s (RMSE {keras_rmse:.4f}); ours "
              f"{our_seconds or float('nan'):.2f} s at epoch {epoch}", flush=True)

    report("## Rounds")
    report()
    report.table(["round", "order", "Keras example: seconds", "its validation RMSE", "ours: end of epoch 1",
                  "ours: seconds to reach it", "at rating epoch", "our RMSE there", "speed-up"],
                 [(n, order, f"{ks:.1f}", f"{kr:.4f}", f"{first:.2f}", "never" if ts is None else f"{ts:.2f}", e,
                   "–" if r is None else f"{r:.4f}", "–" if ratio is None else f"{ratio:.1f}×")
                  for n, order, ks, kr, first, ts, e, r, ratio in rows])
    report(f"Load average after: {os.getloadavg()[0]:.2f}.")
    report()
    valid_ratios = [r for r in ratios if r is not None]
    median = float(np.median(valid_ratios)) if len(valid_ratios) == len(ratios) else None
    report("## Against the bar")
    report()
    report.table(["bar", "measured (median of rounds)", "result"],
                 [(f"same validation RMSE ≥ {SPEED_BAR:g}× faster", "never reached" if median is None
                   else f"{median:.1f}×", "PASS" if median is not None and median >= SPEED_BAR else "FAIL")])
    report.write(args.out)


if __name__ == "__main__":
    main()
