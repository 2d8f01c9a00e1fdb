"""Quality of the collaborative-filtering model, as the site trains it, against EASE and implicit ALS.

    .venv/bin/python -m bench.quality [--ratings PATH] [--out FILE]

The protocol of ../shared/EVALUATION.md (ml/training/evaluation.py). Our model is trained by the production pipeline
itself, ``ml.training.cf_training.fit_ratings_model`` with the default parameters: what `manage.py retrain ratings`
runs, its held-out rows and second pass on all ratings included. For each dataset (the ratings given, and their
denser part: the movies with at least DENSE_MIN_RATINGS ratings, closer to ml-1m and ml-100k):

1. Validation split (seed 43, 80 % of train): EASE's λ and ALS's factors, regularisation and alpha are chosen
   from a grid; our picks are scored for a few λ, for information (the pipeline chooses its λ itself, on its
   own held-out 10 %).
2. Test split (seed 42): every model trained on train, scored once on test. Bars: our picks nDCG@10 ≥ EASE's and
   ≥ ALS's; our predicted ratings RMSE ≤ 0.84 (ml-latest-small).
3. The five full-data splits (seeds 42–46, 75 % of each user's ratings to train): mean nDCG@10 of each model,
   with the paired standard error of our lead. Bar: our mean ≥ EASE's and ≥ ALS's.

Prints everything and writes Markdown (default bench/results/quality.md). Seeds are fixed.
"""
import argparse
import itertools
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench.report import REPO, Report, fmt, machine  # noqa: E402
from ml import spectral  # noqa: E402
from ml.serving.fold_in import fold_in_choices, fold_in_sum  # noqa: E402
from ml.serving.index import EmbeddingIndex  # noqa: E402
from ml.training import collaborative  # noqa: E402
from ml.training.baselines import EASE, GlobalMean, ImplicitALS, MostPopular  # noqa: E402
from ml.training.cf_training import fit_ratings_model  # noqa: E402
from ml.training.evaluation import (  # noqa: E402
    Catalog,
    Ratings,
    per_user_ranking_metrics,
    ranking_metrics,
    rating_metrics,
    split_ratings,
)

RATINGS = REPO.parent / "shared" / "data" / "ml-latest-small" / "ratings.csv"
RESULTS = REPO / "bench" / "results" / "quality.md"
RMSE_BAR = 0.84
DENSE_MIN_RATINGS = 20
EASE_LAMBDAS = [50, 100, 200, 300, 500, 1000]
ALS_GRID = list(itertools.product((32, 64, 128), (1.0, 5.0, 20.0), (0.5, 1.0, 2.0)))  # factors, reg, alpha
FULL_SPLIT_SEEDS = (42, 43, 44, 45, 46)


class FoldedIn:
    """Our picks as the site serves them (ml/serving/recommendations.py): each user's vector folded in from his train
    movies with the movie vectors fixed, not the vector trained with them: a sum of input vectors for the spectral
    model, a softmax fit for the softmax tower."""

    def __init__(self, model, train: Ratings, catalog: Catalog, l2: float):
        self.scale, self.bias = model.rank_user_scale, model.rank_movie_bias
        if model.rank_model == "spectral":
            self.movies = spectral.output_vectors(model.rank_movie_vectors)
            index = EmbeddingIndex(np.arange(len(self.movies)), self.movies, input_vectors=model.rank_movie_vectors)

            def fold_in(movies):
                return fold_in_sum(index, movies)
        else:
            self.movies = model.rank_movie_vectors
            index = EmbeddingIndex(np.arange(len(self.movies)), self.movies, self.bias)

            def fold_in(movies):
                return fold_in_choices(index, movies, l2=l2)
        users, movies = catalog.index(train)
        order = np.argsort(users, kind="stable")
        starts = np.searchsorted(users[order], np.arange(catalog.n_users + 1))
        self.users = np.stack([fold_in(movies[order][starts[u]:starts[u + 1]]) for u in range(catalog.n_users)])

    def scores(self, users):
        return self.scale * self.users[users] @ self.movies.T + self.bias


def dense_part(ratings: Ratings) -> Ratings:
    """The ratings of the movies rated at least DENSE_MIN_RATINGS times."""
    movies, counts = np.unique(ratings.movies, return_counts=True)
    return ratings.subset(np.isin(ratings.movies, movies[counts >= DENSE_MIN_RATINGS]))


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def choose_baselines(report: Report, train: Ratings) -> tuple[float, tuple]:
    """EASE's λ and ALS's (factors, regularization, alpha) by nDCG@10 on the validation split of train; and our
    default model's validation nDCG@10 for a few user scales, reported."""
    fit, valid = split_ratings(train, 43, 0.8)
    catalog = Catalog.from_ratings(fit)

    def ndcg(model):
        return ranking_metrics(model.scores, fit, valid, catalog=catalog)["ndcg"]

    ease = [(lam, ndcg(EASE(lam).fit(fit, catalog))) for lam in EASE_LAMBDAS]
    lam = max(ease, key=lambda row: row[1])[0]
    report("EASE, nDCG@10 on validation: " + ", ".join(f"λ {lam} {fmt(value)}" for lam, value in ease)
           + f". Chosen: λ = {lam}.")
    report()
    als = [(setting, ndcg(ImplicitALS(*setting).fit(fit, catalog))) for setting in ALS_GRID]
    als.sort(key=lambda row: -row[1])
    setting = als[0][0]
    report(f"Implicit ALS, {len(ALS_GRID)} settings (factors, regularization, alpha) on validation; best: "
           + ", ".join(f"{s} {fmt(value)}" for s, value in als[:4]) + f". Chosen: {setting}.")
    report()
    grid = collaborative.DEFAULT_PARAMS["spectral_lambdas"]
    ours = [(lam, ndcg(collaborative.train(collaborative.rating_arrays(fit, catalog), params={
        "rating_epochs": 1, "spectral_lambda": lam}, n_users=catalog.n_users, n_movies=catalog.n_movies)))
        for lam in grid[:6]]
    report("Our picks (the spectral model) on validation, for information: the pipeline chooses λ itself on its "
           "own held-out ratings of whatever it is given: " + ", ".join(f"λ {lam} {fmt(v)}" for lam, v in ours)
           + ".")
    report()
    return lam, setting


def test_split(report: Report, ratings: Ratings, lam: float, als: tuple, *, rmse_bar: bool) -> list:
    """Every model on the protocol's test split; returns the rows of the bars table."""
    train, test = split_ratings(ratings)
    catalog = Catalog.from_ratings(train)
    rows = []

    def evaluate(name, model, seconds, ranks=True, rates=False, model_catalog=catalog):
        metrics = ranking_metrics(model.scores, train, test, catalog=model_catalog) if ranks else {}
        if rates:
            metrics |= rating_metrics(model.predict, train, test, catalog=model_catalog)
        rows.append((name, metrics, seconds))
        return metrics

    model, seconds = timed(lambda: MostPopular().fit(train, catalog))
    evaluate("most popular", model, seconds)
    model, seconds = timed(lambda: GlobalMean().fit(train, catalog))
    evaluate("train mean rating", model, seconds, ranks=False, rates=True)
    model, seconds = timed(lambda: EASE(lam).fit(train, catalog))
    ease = evaluate(f"EASE (λ = {lam})", model, seconds)
    model, seconds = timed(lambda: ImplicitALS(*als).fit(train, catalog))
    alsm = evaluate(f"implicit ALS {als}", model, seconds)
    fitted, seconds = timed(lambda: fit_ratings_model(train, {}))
    ours = evaluate("**ours** (`retrain ratings` pipeline, defaults)", fitted.model, seconds, rates=True,
                    model_catalog=fitted.catalog)
    served, seconds = timed(lambda: FoldedIn(fitted.model, train, fitted.catalog,
                                             collaborative.DEFAULT_PARAMS["rank_l2"]))
    evaluate("ours, picks as served (users folded in)", served, seconds, model_catalog=fitted.catalog)
    report.table(["model", "nDCG@10", "P@10", "R@10", "MAP@10", "RMSE", "seconds"],
                 [(name, fmt(m.get("ndcg")), fmt(m.get("precision")), fmt(m.get("recall")), fmt(m.get("map")),
                   fmt(m.get("rmse")), f"{s:.1f}") for name, m, s in rows])
    bars = [("test nDCG@10 ≥ EASE", f"{ours['ndcg']:.4f} vs {ease['ndcg']:.4f}", ours["ndcg"] >= ease["ndcg"]),
            ("test nDCG@10 ≥ ALS", f"{ours['ndcg']:.4f} vs {alsm['ndcg']:.4f}", ours["ndcg"] >= alsm["ndcg"])]
    if rmse_bar:
        bars.append((f"test RMSE ≤ {RMSE_BAR}", f"{ours['rmse']:.4f}", ours["rmse"] <= RMSE_BAR))
    return bars


def full_splits(report: Report, ratings: Ratings, lam: float, als: tuple) -> list:
    """Mean nDCG@10 over FULL_SPLIT_SEEDS, with our paired lead over each baseline; returns the bars rows."""
    per_seed, leads = [], {"EASE": [], "ALS": []}
    for seed in FULL_SPLIT_SEEDS:
        train, test = split_ratings(ratings, seed, 0.75)
        catalog = Catalog.from_ratings(train)
        fitted = fit_ratings_model(train, {})
        # Per user, on the users of the shared catalog (every train user is in both: the same train rows).
        ours = per_user_ranking_metrics(fitted.model.scores, train, test, catalog=fitted.catalog)["ndcg"]
        ease = per_user_ranking_metrics(EASE(lam).fit(train, catalog).scores, train, test, catalog=catalog)["ndcg"]
        alsm = per_user_ranking_metrics(ImplicitALS(*als).fit(train, catalog).scores, train, test,
                                        catalog=catalog)["ndcg"]
        per_seed.append((seed, ours.mean(), ease.mean(), alsm.mean()))
        for name, other in (("EASE", ease), ("ALS", alsm)):
            leads[name].append(ours - other)
    report.table(["split seed", "ours", "EASE", "ALS"],
                 [(seed, fmt(o), fmt(e), fmt(a)) for seed, o, e, a in per_seed])
    means = np.mean([row[1:] for row in per_seed], axis=0)
    bars = []
    for (name, diffs), baseline in zip(leads.items(), means[1:]):
        diffs = np.concatenate(diffs)
        se = diffs.std(ddof=1) / np.sqrt(len(diffs))
        report(f"Ours − {name}: {means[0] - baseline:+.4f} ({means[0] / baseline - 1:+.1%}); standard error of "
               f"the mean paired difference about {se:.4f} (users of the five splits, taken as independent).")
        bars.append((f"mean nDCG@10 over seeds 42–46 ≥ {name}", f"{means[0]:.4f} vs {baseline:.4f}",
                     means[0] >= baseline))
    report()
    return bars


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
    report(f"- Command: `.venv/bin/python -m bench.quality{options}`")
    report("- Ours: `ml.training.cf_training.fit_ratings_model` with `collaborative.DEFAULT_PARAMS`, as "
           "`manage.py retrain ratings` runs it.")
    report()
    everything = Ratings.from_csv(args.ratings)
    bars = []
    for name, ratings in (("all ratings", everything),
                          (f"the denser part (movies with ≥ {DENSE_MIN_RATINGS} ratings)", dense_part(everything))):
        report(f"## {args.ratings.parent.name}: {name}")
        report()
        report(f"{len(ratings):,} ratings of {len(np.unique(ratings.users)):,} users and "
               f"{len(np.unique(ratings.movies)):,} movies.")
        report()
        report("### Hyperparameters chosen on the validation split")
        report()
        lam, als = choose_baselines(report, split_ratings(ratings)[0])
        report("### Test split")
        report()
        bars += [(f"{name}: {bar}", measured, ok) for bar, measured, ok in
                 test_split(report, ratings, lam, als, rmse_bar=ratings is everything)]
        report("### The five full-data splits")
        report()
        bars += [(f"{name}: {bar}", measured, ok) for bar, measured, ok in full_splits(report, ratings, lam, als)]
    report("## Against the bars")
    report()
    report.table(["bar", "measured", "result"], [(bar, measured, "PASS" if ok else "FAIL")
                                                 for bar, measured, ok in bars])
    report(f"This benchmark: {time.perf_counter() - started:.0f} s in all.")
    report.write(args.out)


if __name__ == "__main__":
    main()
