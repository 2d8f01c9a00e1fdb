"""The site at the size people run it: an ml-25m- or ml-32m-shaped release, end to end, against implicit ALS.

    .venv/bin/python -m bench.scale [--shape ml-25m|ml-32m] [--release DIR] [--out FILE]

1. A release of that shape (``manage.py generate_movielens``, kept under bench/work/ for reruns), or ``--release``.
2. The protocol's split (../shared/EVALUATION.md, seed 42): a release of the train rows is written beside it.
3. ``manage.py import_movielens`` of the train release into a scratch database, then ``manage.py retrain
   ratings``, the whole command, each in a child process: wall time and peak RSS (the child's maximum resident
   set, from wait4), and the stages the training run recorded.
4. Implicit ALS (64 factors, 15 iterations, 2 threads) fitted on the same train rows in this process, timed.
5. Picks nDCG@10 on the test rows of SAMPLE_USERS test users drawn at random: ours as the site serves them (the
   active version's movie vectors, each user folded in from his train ratings) against ALS's.
6. Serving at that size (ml/serving/index.py, one BLAS thread): picks, similar movies and the fold-in, p50 and p95,
   and the recall@10 of the served picks and similar movies (approximate above ANN_MIN_MOVIES) against exact ones.

``--serving-only`` runs steps 5 (ours) and 6 again on the database a full run left, for serving changes.

Bars (issue 15, ml-25m shape): `retrain ratings` within 10× ALS's wall time, peak RSS ≤ 8 GB, nDCG@10 ≥ ALS's.
Writes Markdown (default bench/results/scale_<shape>.md). Long: run it alone on the machine.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

CHILD_BLAS_THREADS = os.environ.get("OPENBLAS_NUM_THREADS")  # the commands run as a worker would: all cores
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # serving is timed as web processes run: one BLAS thread

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from bench.import_movielens import database_url, django_environment, fresh_migrated_database, query  # noqa: E402
from bench.report import REPO, Report, machine, time_ratio_row  # noqa: E402
from ml import spectral  # noqa: E402
from ml.serving.fold_in import fold_in_choices, fold_in_sum  # noqa: E402
from ml.serving.index import EmbeddingIndex  # noqa: E402
from ml.training.baselines import ImplicitALS  # noqa: E402
from ml.training.collaborative import DEFAULT_PARAMS  # noqa: E402
from ml.training.evaluation import Catalog, Ratings, ranking_metrics  # noqa: E402

WORK = REPO / "bench" / "work" / "scale"
SHAPES = {"ml-25m": dict(users=162_541, movies=59_047, per_user=154),
          "ml-32m": dict(users=200_948, movies=84_432, per_user=159)}
DATABASE = "bench_scale"
SAMPLE_USERS = 2000
SERVING_CALLS = 300
TIME_RATIO_BAR, RSS_BAR_BYTES = 10.0, 8 * 10**9


def release(shape: str) -> Path:
    """The generated release of that shape, made once."""
    folder = WORK / shape / "release"
    if not (folder / "ratings.csv").exists():
        size = SHAPES[shape]
        subprocess.run([sys.executable, "manage.py", "generate_movielens", str(folder), "--users", str(size["users"]),
                        "--movies", str(size["movies"]), "--ratings-per-user", str(size["per_user"]),
                        "--name", f"{shape}-shaped"], cwd=REPO, check=True)
    return folder


def split_release(source: Path, folder: Path) -> tuple[Path, Ratings, Ratings]:
    """A copy of the release whose ratings.csv holds the train rows of the protocol's split; and both splits."""
    frame = pd.read_csv(source / "ratings.csv")
    ratings = Ratings(frame["userId"].to_numpy(np.int64), frame["movieId"].to_numpy(np.int64),
                      frame["rating"].to_numpy(np.float64))
    from ml.training.evaluation import split_mask

    train_mask, _ = split_mask(ratings.users)
    if not (folder / "ratings.csv").exists():
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("movies.csv", "links.csv", "tags.csv", "README.txt"):
            if (source / name).exists():
                shutil.copy(source / name, folder / name)
        frame[train_mask].to_csv(folder / "ratings.tmp", index=False)
        (folder / "ratings.tmp").rename(folder / "ratings.csv")
    return folder, ratings.subset(train_mask), ratings.subset(~train_mask)


def run_command(report: Report, args: list[str], env: dict) -> tuple[float, int]:
    """Run ``manage.py ARGS`` in a child process; its wall seconds and peak resident bytes."""
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "manage.py", *args], cwd=REPO, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.monotonic() - started
    if status != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed (status {status})")
    report(f"- `manage.py {' '.join(args)}`: {seconds:.0f} s, peak RSS {usage.ru_maxrss * 1024 / 1e9:.2f} GB")
    return seconds, usage.ru_maxrss * 1024


def active_ranking_index() -> tuple[EmbeddingIndex, dict, dict]:
    """The active ratings version's picks model as the web processes load it (its movies under their MovieLens
    ids), its parameters and the run's evaluation (straight from the tables: this process does not set Django
    up)."""
    import json

    version, parameters, evaluation = query(
        DATABASE, "SELECT v.id, v.parameters, r.evaluation FROM ml_modelversion v JOIN ml_trainingrun r "
                  "ON r.id = v.training_run_id WHERE v.kind = 'ratings' AND v.is_active")[0]
    rows = query(DATABASE, f"SELECT movie_id, rank_vector, rank_bias FROM ml_movievector WHERE version_id = {version}"
                           " ORDER BY movie_id")
    # The site's movie ids are not MovieLens's: index the vectors by MovieLens id, as the split's rows are.
    movielens = dict(query(DATABASE, "SELECT id, movielens_id FROM movies_movie WHERE movielens_id IS NOT NULL"))
    rows = [row for row in rows if row[0] in movielens]
    ids = np.array([movielens[row[0]] for row in rows], np.int64)
    vectors = np.stack([np.frombuffer(bytes(row[1]), np.float32) for row in rows])
    bias = np.array([row[2] for row in rows], np.float32)
    parameters, evaluation = (value if isinstance(value, dict) else json.loads(value)
                              for value in (parameters, evaluation))
    if parameters.get("rank_model") == "spectral":  # stored: the input vectors (as ml/serving/active.py loads them)
        return EmbeddingIndex(ids, spectral.output_vectors(vectors), bias, input_vectors=vectors), parameters, \
            evaluation
    return EmbeddingIndex(ids, vectors, bias), parameters, evaluation


def folding_in(index: EmbeddingIndex, parameters: dict):
    """The site's fold-in of the picks model (ml/serving/recommendations.py): a sum for the spectral model."""
    if index.input_vectors is not None:
        return lambda movies: fold_in_sum(index, movies)
    l2 = parameters.get("rank_l2", DEFAULT_PARAMS["rank_l2"])
    return lambda movies: fold_in_choices(index, movies, l2=l2)


def sampled_users(test: Ratings) -> np.ndarray:
    return np.random.default_rng(0).choice(np.unique(test.users), SAMPLE_USERS, replace=False)


def our_ndcg(index: EmbeddingIndex, parameters: dict, train: Ratings, test: Ratings,
             users: np.ndarray) -> dict[str, float]:
    """nDCG@10 of our picks for ``users``, folded in from their train ratings as on the site: ``served``, the top
    10 of ``index.picks`` (approximate above ANN_MIN_MOVIES, as the site's); ``exact``, every movie scored."""
    fold_in, scale = folding_in(index, parameters), parameters.get("rank_user_scale", 1.0)
    train_rows, test_rows = train.subset(np.isin(train.users, users)), test.subset(np.isin(test.users, users))
    catalog = Catalog(np.unique(train_rows.users), index.movie_ids[np.argsort(index.movie_ids)])
    order = np.argsort(train_rows.users, kind="stable")
    bounds = np.searchsorted(train_rows.users[order], catalog.user_ids)
    bounds = np.append(bounds, len(order))
    rated = [train_rows.movies[order][bounds[i]:bounds[i + 1]] for i in range(catalog.n_users)]
    folded = scale * np.stack([fold_in(movies) for movies in rated])
    rows = index.rows(catalog.movie_ids)
    vectors, bias = index.vectors[rows], index.movie_bias[rows]

    def served(batch: np.ndarray) -> np.ndarray:
        scores = np.full((len(batch), catalog.n_movies), -1e30)
        for row, user in enumerate(batch):
            picked = [movie for movie, _ in index.picks(folded[user], exclude_ids=rated[user].tolist(), k=10)]
            scores[row, np.searchsorted(catalog.movie_ids, picked)] = np.arange(10, 10 - len(picked), -1)
        return scores

    return {"served": ranking_metrics(served, train_rows, test_rows, catalog=catalog)["ndcg"],
            "exact": ranking_metrics(lambda u: folded[u] @ vectors.T + bias, train_rows, test_rows,
                                     catalog=catalog)["ndcg"]}


def als_ndcg(model: ImplicitALS, catalog: Catalog, train: Ratings, test: Ratings, users: np.ndarray) -> float:
    train_rows, test_rows = train.subset(np.isin(train.users, users)), test.subset(np.isin(test.users, users))
    return ranking_metrics(model.scores, train_rows, test_rows, catalog=catalog)["ndcg"]


def serving_latency(report: Report, index: EmbeddingIndex, parameters: dict, train: Ratings,
                    users: np.ndarray) -> None:
    """p50 and p95 of picks, similar movies and the fold-in, for users of the sample and their train ratings; the
    build of the index; the recall@10 of the served picks and similar movies against exact ones."""
    fold_in = folding_in(index, parameters)
    rated = [train.movies[train.users == user] for user in users[:SERVING_CALLS]]
    vectors = [fold_in(movies) for movies in rated]
    started = time.perf_counter()
    served = EmbeddingIndex(index.movie_ids, index.vectors, index.movie_bias, input_vectors=index.input_vectors)
    build_ms = (time.perf_counter() - started) * 1e3
    exact = EmbeddingIndex(index.movie_ids, index.vectors, index.movie_bias, input_vectors=index.input_vectors,
                           approximate=False)
    calls = {
        "fold-in (the picks model's)": lambda i: fold_in(rated[i]),
        "picks (excluding the rated movies)": lambda i: served.picks(vectors[i], exclude_ids=rated[i].tolist()),
        "similar movies": lambda i: served.similar(int(served.movie_ids[i * 97 % len(served)])),
        "picks, every movie scored": lambda i: exact.picks(vectors[i], exclude_ids=rated[i].tolist()),
        "similar movies, every movie scored": lambda i: exact.similar(int(exact.movie_ids[i * 97 % len(exact)])),
    }
    rows = []
    for name, call in calls.items():
        times = []
        for i in range(len(rated)):
            started = time.perf_counter()
            call(i)
            times.append(time.perf_counter() - started)
        p50, p95 = np.percentile(np.array(times) * 1e3, [50, 95])
        rows.append((name, f"{p50:.2f}", f"{p95:.2f}"))
    report.table(["call", "p50 ms", "p95 ms"], rows)

    def overlap(got, expected):
        return len({m for m, _ in got} & {m for m, _ in expected}) / max(len(expected), 1)

    picks = np.mean([overlap(served.picks(vectors[i], exclude_ids=rated[i].tolist()),
                             exact.picks(vectors[i], exclude_ids=rated[i].tolist())) for i in range(len(rated))])
    similar = np.mean([overlap(served.similar(int(movie)), exact.similar(int(movie)))
                       for movie in served.movie_ids[::97][:SERVING_CALLS]])
    search = "approximate (IVF)" if served.approximate else "exact"
    report(f"- Search: {search}; the index built in {build_ms:.0f} ms (a web process spends this on a new version, "
           "while it still serves the previous one).")
    report(f"- Recall@10 against every movie scored, {len(rated)} users and movies: picks {picks:.3f}, "
           f"similar {similar:.3f}.")
    report()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="ml-25m")
    parser.add_argument("--release", type=Path, help="a MovieLens release (default: generated)")
    parser.add_argument("--serving-only", action="store_true",
                        help="only steps 5 (ours) and 6, on the database an earlier full run left")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    name = f"scale_{args.shape}_serving.md" if args.serving_only else f"scale_{args.shape}.md"
    out = args.out or REPO / "bench" / "results" / name
    report = Report()
    report(f"# Scale: an {args.shape}-shaped release end to end" + (", serving only" if args.serving_only else ""))
    report()
    report(f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    report(f"- Machine: {machine()}")
    report(f"- Command: `.venv/bin/python -m bench.scale --shape {args.shape}`"
           + (f" --release {args.release}" if args.release else "") + (" --serving-only" if args.serving_only else ""))
    source = args.release or release(args.shape)
    train_folder, train, test = split_release(source, WORK / args.shape / "train")
    report(f"- Data: `{source}`: {len(train) + len(test):,} ratings, {len(np.unique(train.users)):,} users, "
           f"{len(np.unique(train.movies)):,} movies in train; train {len(train):,}, test {len(test):,}.")
    report()
    if not args.serving_only:
        retrain_seconds, retrain_rss, als, als_seconds = train_both(report, train_folder, train)
    index, parameters, evaluation = active_ranking_index()
    report(f"- The active version's evaluation (held-out rows): {evaluation}")
    report()

    users = sampled_users(test)
    ours = our_ndcg(index, parameters, train, test, users)
    search = "approximate: IVF" if index.approximate else "exact"
    rows = [(f"ours, as served (folded in; {search})", f"{ours['served']:.4f}"),
            ("ours, every movie scored", f"{ours['exact']:.4f}")]
    if not args.serving_only:
        theirs = als_ndcg(als, Catalog.from_ratings(train), train, test, users)
        rows.append(("implicit ALS", f"{theirs:.4f}"))
    report(f"## Picks nDCG@10 on the test rows of {SAMPLE_USERS} test users")
    report()
    report.table(["model", "nDCG@10"], rows)

    report(f"## Serving at this size ({len(index):,} movies × {index.dim} dimensions, one BLAS thread)")
    report()
    serving_latency(report, index, parameters, train, users)
    if not args.serving_only:
        report("## Against the bars")
        report()
        report.table(["bar", "measured", "result"], [
            time_ratio_row("retrain ratings", retrain_seconds, als_seconds, TIME_RATIO_BAR, "ALS's time"),
            ("peak RSS ≤ 8 GB", f"{retrain_rss / 1e9:.2f} GB", "PASS" if retrain_rss <= RSS_BAR_BYTES else "FAIL"),
            ("nDCG@10 (as served) ≥ ALS's", f"{ours['served']:.4f} vs {theirs:.4f}",
             "PASS" if ours["served"] >= theirs else "FAIL"),
        ])
    report.write(out)
    print(database_url(DATABASE))


def train_both(report: Report, train_folder: Path, train: Ratings) -> tuple[float, int, ImplicitALS, float]:
    """Steps 3 and 4: our import and retrain (seconds and peak bytes of the retrain), then ALS (and its seconds)."""
    report("## Our pipeline, each command in a child process")
    report()
    env = {**django_environment(DATABASE), "TF_CPP_MIN_LOG_LEVEL": "2"}
    if CHILD_BLAS_THREADS is None:
        env.pop("OPENBLAS_NUM_THREADS")
    fresh_migrated_database(DATABASE)
    run_command(report, ["import_movielens", str(train_folder)], env)
    retrain_seconds, retrain_rss = run_command(report, ["retrain", "ratings"], env)
    report()
    report("## Implicit ALS on the same train rows (64 factors, 15 iterations, 2 threads)")
    report()
    started = time.monotonic()
    als = ImplicitALS(64, 0.05, 1.0, iterations=15, threads=2).fit(train, Catalog.from_ratings(train))
    als_seconds = time.monotonic() - started
    report(f"- fit: {als_seconds:.0f} s")
    report()
    return retrain_seconds, retrain_rss, als, als_seconds


if __name__ == "__main__":
    main()
