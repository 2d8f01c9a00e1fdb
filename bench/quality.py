"""Quality of the collaborative-filtering model (ml/collaborative.py) against the issue's bars, on MovieLens.

    .venv/bin/python bench/quality.py [--ratings PATH] [--out FILE]

The protocol of ../shared/EVALUATION.md (ml/evaluation.py): train/test split (seed 42, 75 %), and a validation
split carved out of train (seed 43, 80 %). In one run, every model has its hyperparameters chosen on the
validation split, is retrained on the whole train split with them (epochs: the best validation epoch of early
stopping), and is evaluated once on the test split:

- most popular (train rating counts) and the train mean rating: no hyperparameters;
- EASE, λ from a grid;
- the plain rating-only model: the Keras example's architecture (user and movie embeddings and biases, per-example
  dot product, sigmoid) trained on the rating loss only; its picks rank movies by predicted rating; L2 from a grid;
- our CF model: a rating tower and a ranking tower (see ml/collaborative.py). The towers share no weights, so one
  run of the grid tries one setting of each tower, and each tower's setting is chosen on its own metric (RMSE for
  the rating tower, nDCG@10 for the ranking tower). The ranking tower trains a fixed number of epochs (its learning
  rate decays to zero), so its epochs need no choosing; the scale of its user vectors in the picks
  (rank_user_scale) only changes the scores, so each trained ranking tower is scored with each scale of a grid.

Bars: picks nDCG@10 >= EASE's in the same run; predicted ratings RMSE <= 0.84 (both on test). The last section
repeats the picks comparison on other splits of train, to show how much one split's verdict varies.
Training speed against the Keras example's way is measured by bench/train_speed.py.

Prints everything and writes Markdown (default bench/results/quality.md). Seeds are fixed.
"""
import argparse
import dataclasses
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench.report import Report, fmt, machine  # noqa: E402
from ml import collaborative  # noqa: E402
from ml.baselines import EASE, GlobalMean, MostPopular  # noqa: E402
from ml.evaluation import (  # noqa: E402
    Catalog,
    Ratings,
    per_user_ranking_metrics,
    ranking_means,
    ranking_metrics,
    rating_metrics,
    split_ratings,
)
from ml.fold_in import fold_in_choices  # noqa: E402
from ml.index import EmbeddingIndex  # noqa: E402

RATINGS = REPO.parent / "shared" / "data" / "ml-latest-small" / "ratings.csv"
RESULTS = REPO / "bench" / "results" / "quality.md"
SEED = 0
RMSE_BAR = 0.84

EASE_LAMBDAS = [50, 100, 200, 300, 500, 1000]
PLAIN_GRID = [dict(l2=l2, aux_weight=0.0, rank_dimensions=0) for l2 in (1e-3, 3e-3, 5e-3, 1e-2)]
# Each run: one rating-tower setting (l2, aux_weight) and one ranking-tower setting (rank_dimensions, rank_l2); the
# ranking tower's picks are then scored on validation with each of RANK_USER_SCALES (no retraining needed).
# 128 dimensions only: 256 ranked as well on validation, but the site folds a user in on every request, and
# that takes 4× as long at 256 dimensions (41 ms against 10.5 ms on ml-latest-small's catalog, one BLAS thread).
CF_GRID = [
    dict(l2=7e-3, aux_weight=0.02, rank_dimensions=128, rank_l2=0.1),
    dict(l2=5e-3, aux_weight=0.02, rank_dimensions=128, rank_l2=0.085),
    dict(l2=1e-2, aux_weight=0.02, rank_dimensions=128, rank_l2=0.12),
    dict(l2=7e-3, aux_weight=0.01, rank_dimensions=128, rank_l2=0.07),
    dict(l2=7e-3, aux_weight=0.04, rank_dimensions=128, rank_l2=0.14),
]
RANK_USER_SCALES = (0.7, 0.8, 0.9, 1.0)
RATING_KEYS, RANKING_KEYS = ("l2", "aux_weight"), ("rank_dimensions", "rank_l2", "rank_user_scale")
SPREAD_SEEDS = (44, 45, 46, 47)  # other splits of train, for the spread of the comparison (reported only)


class FoldedIn:
    """The CF model's picks as the site serves them: each user's ranking vector is not the trained one but folded
    in from his train movies (ml/fold_in.py), with the movie vectors fixed, then scaled by rank_user_scale."""

    def __init__(self, model, train_arrays, n_users: int, l2: float):
        self.movies, self.bias = model.rank_movie_vectors, model.rank_movie_bias
        index = EmbeddingIndex(np.arange(len(self.movies)), self.movies, self.bias)
        users, movies, _ = train_arrays
        self.users = model.rank_user_scale * np.stack(
            [fold_in_choices(index, movies[users == user], l2=l2) for user in range(n_users)])

    def scores(self, users):
        return self.users[users] @ self.movies.T + self.bias


def paired(cf: np.ndarray, ease: np.ndarray) -> tuple[float, float, float]:
    """Mean nDCG@10 of the CF model and of EASE from their per-user values on the same users, and the standard
    error of their mean difference."""
    return cf.mean(), ease.mean(), (cf - ease).std(ddof=1) / np.sqrt(len(cf))


def spread(report: Report, train: Ratings, test_row: tuple, lam: float, cf_params: dict) -> None:
    """The CF picks against EASE, with the settings chosen above, on other splits of train carved like the
    validation split (seeds SPREAD_SEEDS): how much one split's verdict varies. Reported only, chooses nothing."""
    report("## The same comparison on other splits of train")
    report()
    report(f"EASE (λ = {lam}) and the CF model with the settings chosen above, trained on 80 % of each user's train "
           "rows and evaluated on the rest, for other seeds of the split. Seed 43 is the validation split the "
           "settings were chosen on. Nothing here chooses anything. SE: the standard error of the mean difference "
           "over the split's users (paired).")
    report()
    rows, leads = [], []
    for seed in (43, *SPREAD_SEEDS):
        fit, held_out = split_ratings(train, seed, 0.8)
        catalog = Catalog.from_ratings(fit)
        model = collaborative.train(collaborative.rating_arrays(fit, catalog), params=cf_params, seed=SEED,
                                    n_users=catalog.n_users, n_movies=catalog.n_movies)
        cf, ease, se = paired(*(per_user_ranking_metrics(scores, fit, held_out, catalog=catalog)["ndcg"]
                                for scores in (model.scores, EASE(lam).fit(fit, catalog).scores)))
        if seed != 43:
            leads.append(cf / ease - 1)
        rows.append((f"{seed}" + (" (validation)" if seed == 43 else ""), cf, ease, se))
    rows.append(("test split (above)", *test_row))
    report.table(["split seed", "EASE nDCG@10", "CF nDCG@10", "CF − EASE (SE)", "CF against EASE"],
                 [(name, fmt(ease), fmt(cf), f"{cf - ease:+.4f} ({se:.4f})", f"{cf / ease - 1:+.1%}")
                  for name, cf, ease, se in rows])
    report(f"On the {len(leads)} other splits the CF model's lead is {np.mean(leads):+.1%} on average "
           f"(standard deviation {np.std(leads, ddof=1):.1%}).")
    report()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ratings", type=Path, default=RATINGS, help="a MovieLens ratings.csv")
    parser.add_argument("--out", type=Path, default=RESULTS, help="the Markdown report")
    args = parser.parse_args()
    started = time.perf_counter()
    report = Report()
    report("# Quality of the collaborative-filtering model")
    report()
    report(f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    report(f"- Machine: {machine(tensorflow=True)}")
    options = "" if args.ratings == RATINGS else f" --ratings {args.ratings}"
    report(f"- Command: `.venv/bin/python bench/quality.py{options}`")

    ratings = Ratings.from_csv(args.ratings)
    train, test = split_ratings(ratings)
    fit, valid = split_ratings(train, 43, 0.8)
    fit_catalog, catalog = Catalog.from_ratings(fit), Catalog.from_ratings(train)
    fit_arrays, valid_arrays = (collaborative.rating_arrays(r, fit_catalog) for r in (fit, valid))
    train_arrays = collaborative.rating_arrays(train, catalog)
    report(f"- Data: `{args.ratings}`: {len(ratings):,} ratings; train {len(train):,} (validation split: fit "
           f"{len(fit):,}, valid {len(valid):,}), test {len(test):,}; {catalog.n_users} users and "
           f"{catalog.n_movies:,} movies in train. Seed {SEED}.")
    report()

    def on_valid(scores=None, predict=None):
        metrics = {}
        if scores is not None:
            metrics.update(ranking_metrics(scores, fit, valid, catalog=fit_catalog))
        if predict is not None:
            metrics.update(rating_metrics(predict, fit, valid, catalog=fit_catalog))
        return metrics

    report("## Hyperparameters chosen on the validation split")
    report()
    report("EASE (nDCG@10 on validation):")
    report()
    ease_rows = []
    for lam in EASE_LAMBDAS:
        t = time.perf_counter()
        ndcg = on_valid(EASE(lam).fit(fit, fit_catalog).scores)["ndcg"]
        ease_rows.append((lam, ndcg, time.perf_counter() - t))
    report.table(["λ", "nDCG@10", "seconds"], [(lam, fmt(n), f"{s:.1f}") for lam, n, s in ease_rows])
    best_lambda = max(ease_rows, key=lambda row: row[1])[0]
    report(f"Chosen: λ = {best_lambda}.")
    report()

    def grid(configs, keys, scales=()):
        """Train each setting with early stopping on validation; rows (params, model, validation metrics), one per
        setting, or one per setting and rank_user_scale of ``scales``."""
        rows = []
        for params in configs:
            model = collaborative.train(fit_arrays, valid_arrays, params=params, seed=SEED,
                                        n_users=fit_catalog.n_users, n_movies=fit_catalog.n_movies)
            scored = [(params, model)] if not scales else [
                ({**params, "rank_user_scale": scale}, dataclasses.replace(model, rank_user_scale=scale))
                for scale in scales]
            for setting, scorer in scored:
                rows.append((setting, model, on_valid(scorer.scores, model.predict)))
            ndcgs = ", ".join(f"{row[0]['rank_user_scale']}: {row[2]['ndcg']:.4f}" for row in rows[-len(scored):]
                              ) if scales else f"{rows[-1][2]['ndcg']:.4f}"
            report(f"  {', '.join(f'{k}={params[k]}' for k in keys)}: RMSE {rows[-1][2]['rmse']:.4f}, "
                   f"nDCG@10 {ndcgs}; epochs: "
                   f"{', '.join(f'{tower} {epoch}' for tower, epoch in model.epochs.items())}; {model.seconds:.1f} s")
        report()
        return rows

    report("Plain rating-only model (the Keras example's architecture, rating loss only; RMSE on validation):")
    report()
    plain_rows = grid(PLAIN_GRID, ("l2",))
    plain_params, plain_model, _ = min(plain_rows, key=lambda row: row[2]["rmse"])
    report(f"Chosen: l2 = {plain_params['l2']}, {plain_model.epochs['rating']} epochs.")
    report()

    report("CF model: each run trains one rating-tower setting (l2, aux_weight; judged by RMSE) and one "
           "ranking-tower setting (rank_dimensions, rank_l2; judged by nDCG@10, for each rank_user_scale):")
    report()
    cf_rows = grid(CF_GRID, RATING_KEYS + RANKING_KEYS[:-1], RANK_USER_SCALES)
    rating_params, rating_model, rating_valid = min(cf_rows, key=lambda row: row[2]["rmse"])
    ranking_params, ranking_model, ranking_valid = max(cf_rows, key=lambda row: row[2]["ndcg"])
    cf_params = {**{k: rating_params[k] for k in RATING_KEYS}, **{k: ranking_params[k] for k in RANKING_KEYS},
                 "rating_epochs": rating_model.epochs["rating"], "rank_epochs": ranking_model.epochs["ranking"]}
    report(f"Chosen: {', '.join(f'{k}={v}' for k, v in cf_params.items())} (validation RMSE "
           f"{rating_valid['rmse']:.4f}, nDCG@10 {ranking_valid['ndcg']:.4f}).")
    report()

    # Final models: retrained on the whole train split, evaluated once on test.
    final = []

    def evaluate(name, model, seconds, ranks=True, rates=True):
        metrics = {}
        if ranks:  # the means of the per-user metrics, which also give the paired standard error of the spread
            per_user = per_user_ranking_metrics(model.scores, train, test, catalog=catalog)
            metrics.update(ranking_means(per_user), ndcg_by_user=per_user["ndcg"])
        if rates:
            metrics.update(rating_metrics(model.predict, train, test, catalog=catalog))
        final.append((name, metrics, seconds))
        return metrics

    def timed(fn):
        t = time.perf_counter()
        result = fn()
        return result, time.perf_counter() - t

    model, seconds = timed(lambda: MostPopular().fit(train, catalog))
    evaluate("most popular (train rating counts)", model, seconds, rates=False)
    model, seconds = timed(lambda: GlobalMean().fit(train, catalog))
    evaluate("train mean rating", model, seconds, ranks=False)
    model, seconds = timed(lambda: EASE(best_lambda).fit(train, catalog))
    ease = evaluate(f"EASE (λ = {best_lambda})", model, seconds, rates=False)
    plain_epochs = plain_model.epochs["rating"]
    plain_final = collaborative.train(train_arrays, params={**plain_params, "rating_epochs": plain_epochs}, seed=SEED,
                                      n_users=catalog.n_users, n_movies=catalog.n_movies)
    evaluate(f"plain rating-only model (l2 = {plain_params['l2']}, {plain_model.epochs['rating']} epochs)",
             plain_final, plain_final.seconds)
    cf_final = collaborative.train(train_arrays, params=cf_params, seed=SEED, n_users=catalog.n_users,
                                   n_movies=catalog.n_movies)
    cf = evaluate(f"**CF model** ({cf_params['rating_epochs']} + {cf_params['rank_epochs']} epochs)", cf_final,
                  cf_final.seconds)
    model, seconds = timed(lambda: FoldedIn(cf_final, train_arrays, catalog.n_users, cf_params["rank_l2"]))
    evaluate("CF model, picks as served (users folded in from their train movies)", model, seconds, rates=False)

    report("## Test (models retrained on the whole train split)")
    report()
    report.table(["model", "nDCG@10", "P@10", "R@10", "MAP@10", "RMSE", "training s"],
                 [(name, fmt(m.get("ndcg")), fmt(m.get("precision")), fmt(m.get("recall")), fmt(m.get("map")),
                   fmt(m.get("rmse")), f"{s:.1f}") for name, m, s in final])

    report("## Against the bars")
    report()
    ranking_ok, rating_ok = cf["ndcg"] >= ease["ndcg"], cf["rmse"] <= RMSE_BAR
    report.table(["bar", "measured", "result"], [
        ("picks nDCG@10 >= EASE's (λ chosen on validation)", f"{cf['ndcg']:.4f} vs {ease['ndcg']:.4f}",
         "PASS" if ranking_ok else "FAIL"),
        (f"predicted ratings RMSE <= {RMSE_BAR}", f"{cf['rmse']:.4f}", "PASS" if rating_ok else "FAIL"),
    ])

    spread(report, train, paired(cf["ndcg_by_user"], ease["ndcg_by_user"]), best_lambda, cf_params)

    report("## Timings")
    report()
    report(f"- A whole CF training on the train split ({cf_params['rating_epochs']} + {cf_params['rank_epochs']} "
           f"epochs): {cf_final.seconds:.1f} s; with early stopping on validation: {ranking_model.seconds:.1f} s.")
    report(f"- This benchmark: {time.perf_counter() - started:.0f} s in all.")
    report.write(args.out)


if __name__ == "__main__":
    main()
