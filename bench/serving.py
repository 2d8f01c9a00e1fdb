"""Benchmark of the serving index (ml/serving/index.py) against the issue's latency bars.

    .venv/bin/python -m bench.serving [--calls N] [--shape ml-32m] [--out FILE]

Bars, for a catalog of 60,000 movies × 64 dimensions (random float32 vectors around 400 tastes, and biases); with
``--shape ml-32m`` 84,432 movies × the dimensions the spectral picks model keeps for them (94), and picks and
similar ≤ 2 ms (issue 15). Both sizes are over ANN_MIN_MOVIES, so picks and similar go through the index's IVF
search as the site's would:

1. ``picks`` ≤ 5 ms at the 95th percentile, each call for another user (the sum of the vectors of 100–500 rated
   movies, mostly of two tastes) with his rated movies to exclude (a Python list of ids, as the caller gets them
   from the database);
2. ``similar`` ≤ 5 ms at the 95th percentile, each call for another movie;
3. fold-in ≤ 20 ms (judged at the 95th percentile) for a user with 500 ratings, half stars drawn from the
   model itself plus noise: both fold-ins of ml/serving/fold_in.py, the rating tower's (predicted ratings) and the
   ranking tower's (picks; a softmax over the whole catalog).

For information it also times ``picks`` with a genre mask (15% of the catalog allowed), exact picks and similar
movies (every movie scored), ``fold_in`` of 1 and of 50 ratings, ``predict_rating`` and the build of the index;
the recall@10 of the approximate answers against the exact ones; and exact picks' p95 at catalogue sizes from 10k
to 84k movies, the measurement behind ANN_MIN_MOVIES. Each measurement is ``time.perf_counter`` around
single calls, ``--calls`` of them (default 2,000) after 50 warm-up calls.

All of it runs twice, each time in a fresh child process: with the BLAS threads as inherited (OpenBLAS's
default is one thread per core) and with OPENBLAS_NUM_THREADS=1 (one thread per web process, as recommended:
the calls are too small to gain from threads, and a BLAS thread that waits for a busy core costs milliseconds).
Prints the results and writes them as Markdown (default bench/results/serving.md) with the machine, numpy and
BLAS it ran on and the load average around each run.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.report import REPO, machine
from ml.serving.fold_in import fold_in_choices, fold_in_ratings, fold_in_sum
from ml.serving.index import ANN_MIN_MOVIES, EmbeddingIndex
from ml.training.collaborative import DEFAULT_PARAMS, spectral_rank

RESULTS = REPO / "bench" / "results" / "serving.md"
N_MOVIES, DIM = 60_000, 64
CLUSTERS = 400
RECALL_USERS = 500
SWEEP_SIZES, SWEEP_CALLS = (10_000, 20_000, 30_000, 40_000, 60_000, 84_432), 400
WARMUP = 50
PICKS_BAR_MS, SIMILAR_BAR_MS, FOLD_IN_BAR_MS = 5.0, 5.0, 20.0
# --shape ml-32m: the catalog of ml-32m (84,432 rated movies, 200,948 users) at the dimensions the spectral picks
# model keeps for it, against issue 15's bars (picks and similar p95 ≤ 2 ms, fold-in ≤ 20 ms): serving_ml-32m.md.
SHAPES = {"ml-32m": (84_432, spectral_rank(200_948, 84_432), 2.0, 2.0, 20.0)}


def timed(call, n_calls: int) -> np.ndarray:
    """Milliseconds of each of n_calls calls ``call(i)``, after WARMUP untimed ones."""
    for i in range(WARMUP):
        call(i)
    times = np.empty(n_calls)
    for i in range(n_calls):
        start = time.perf_counter()
        call(i)
        times[i] = time.perf_counter() - start
    return times * 1e3


def catalog(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ids spread like MovieLens's (sparse, up to ~200k); vectors around CLUSTERS tastes with a decaying spectrum
    and lengths that span orders of magnitude, as trained vectors are (an approximate index would find nothing to
    use in isotropic noise, and nothing to trip on in equal lengths); biases of a plausible trained scale; and
    each movie's taste."""
    ids = rng.choice(np.arange(1, 200_001), N_MOVIES, replace=False).astype(np.int64)
    spectrum = 0.15 / np.sqrt(1 + np.arange(DIM) / 4)
    tastes = rng.integers(0, CLUSTERS, N_MOVIES)
    centers = rng.normal(0, 1, (CLUSTERS, DIM)) * spectrum
    vectors = centers[tastes] + rng.normal(0, 0.7, (N_MOVIES, DIM)) * spectrum
    vectors = (vectors * np.exp(rng.normal(0, 1.5, (N_MOVIES, 1)))).astype(np.float32)  # lengths: popularity
    bias = rng.normal(0, 0.4, N_MOVIES).astype(np.float32)
    return ids, vectors, bias, tastes


def taste_users(rng: np.random.Generator, index: EmbeddingIndex, tastes: np.ndarray, total: int):
    """Users as the picks model folds them in, each with 100–500 rated movies (60 % of two tastes of his, the rest
    anything): their vectors (the sum of the rated movies' input vectors) and their rated ids (a Python list, as
    the caller gets them from the database), to exclude."""
    members = [np.flatnonzero(tastes == t) for t in range(CLUSTERS)]
    vectors, rated = np.empty((total, DIM), np.float32), []
    for i, size in enumerate(rng.integers(100, 501, total)):
        liked = np.concatenate([members[t] for t in rng.choice(CLUSTERS, 2, replace=False)])
        rows = np.unique(np.concatenate([rng.choice(liked, min(len(liked), int(0.6 * size)), replace=False),
                                         rng.choice(N_MOVIES, size - int(0.6 * size), replace=False)]))
        vectors[i] = index.vectors[rows].sum(axis=0)
        rated.append(index.movie_ids[rows].tolist())
    return vectors, rated


def rated_sets(index: EmbeddingIndex, rng: np.random.Generator, sizes: np.ndarray) -> list[tuple[list, list]]:
    """For each size, a random user's ratings of that many movies: (movie ids, half stars)."""
    sets = []
    for size in sizes:
        rows = rng.choice(len(index), size, replace=False)
        user = rng.normal(0, 1, DIM).astype(np.float32)
        score = index.vectors[rows] @ user + index.movie_bias[rows] + index.global_bias
        stars = 0.5 + 4.5 / (1 + np.exp(-score)) + rng.normal(0, 0.5, size)
        sets.append((index.movie_ids[rows].tolist(), np.clip(np.round(stars * 2) / 2, 0.5, 5.0).tolist()))
    return sets


def blas() -> tuple[str, str]:
    """The BLAS numpy was built with, and its thread settings in this process."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info = f"{config.get('name')} {config.get('version')} ({config.get('openblas configuration', '').strip()})"
    else:
        info = "; ".join(f"{p['internal_api']} {p['version']}, {p['num_threads']} threads" for p in threadpool_info())
    threads = ", ".join(f"{k}={os.environ[k]}" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
                        if k in os.environ) or "no thread variables set (the BLAS default: one per core)"
    return info, threads


CONFIGS = [  # (label, environment overrides) of the child processes, each a fresh numpy
    ("BLAS threads as inherited", {}),
    ("OPENBLAS_NUM_THREADS=1", {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}),
]
RESULT_MARKER = "BENCH_RESULT "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=2000, help="timed calls per measurement (at least 1000)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="the Markdown report to write")
    parser.add_argument("--shape", choices=sorted(SHAPES), help="a catalog of that size, with its bars")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.shape:
        global N_MOVIES, DIM, PICKS_BAR_MS, SIMILAR_BAR_MS, FOLD_IN_BAR_MS
        N_MOVIES, DIM, PICKS_BAR_MS, SIMILAR_BAR_MS, FOLD_IN_BAR_MS = SHAPES[args.shape]
        if args.out == RESULTS:
            args.out = RESULTS.with_name(f"serving_{args.shape}.md")
    n = max(args.calls, 1000)
    if args.child:
        print(RESULT_MARKER + json.dumps(measure_all(n)), flush=True)
        return
    runs = []
    for label, overrides in CONFIGS:
        print(f"== {label}", flush=True)
        shape = ["--shape", args.shape] if args.shape else []
        command = [sys.executable, "-m", "bench.serving", "--child", "--calls", str(n), *shape]
        child = subprocess.run(command, cwd=REPO, env={**os.environ, **overrides}, stdout=subprocess.PIPE, text=True,
                               check=True)
        result = json.loads(next(line for line in child.stdout.splitlines() if line.startswith(RESULT_MARKER))
                            [len(RESULT_MARKER):])
        runs.append((label, result))
    write_report(args.out, n, runs)


def measure_all(n: int) -> dict:
    """All the measurements in this process: {"build_ms", "blas", "load", "rows": [(name, times, bar)]}."""
    rng = np.random.default_rng(2024)
    load_before = os.getloadavg()[0]
    ids, vectors, bias, tastes = catalog(rng)
    start = time.perf_counter()
    # The sums are of the vectors themselves: spectral-like; approximate from ANN_MIN_MOVIES movies up, as served.
    index = EmbeddingIndex(ids, vectors, bias, global_bias=0.3, input_vectors=vectors)
    build_ms = (time.perf_counter() - start) * 1e3
    exact = EmbeddingIndex(ids, vectors, bias, global_bias=0.3, input_vectors=vectors, approximate=False)

    total = n + WARMUP
    users, excluded = taste_users(rng, index, tastes, total)
    user_bias = rng.normal(0, 0.3, total)
    genre = rng.random(N_MOVIES) < 0.15
    movies = rng.choice(ids, total).tolist()
    ratings_500 = rated_sets(index, rng, np.full(total, 500))
    ratings_50 = rated_sets(index, rng, np.full(total, 50))
    ratings_1 = rated_sets(index, rng, np.full(total, 1))

    rows = []

    def measure(name, call, bar=None, calls=n):
        times = timed(call, calls)
        rows.append((name, times.tolist(), bar))
        p50, p95, p99 = np.percentile(times, [50, 95, 99])
        print(f"{name:58s} p50 {p50:6.2f}  p95 {p95:6.2f}  p99 {p99:6.2f}  max {times.max():6.2f} ms",
              file=sys.stderr, flush=True)

    how = "approximate (IVF)" if index.approximate else "exact"
    measure(f"picks, k=10, 100–500 rated movies excluded, {how}",
            lambda i: index.picks(users[i], user_bias=user_bias[i], exclude_ids=excluded[i], k=10), PICKS_BAR_MS)
    measure(f"picks, k=10, excluded as above, genre mask (15% allowed), {how}",
            lambda i: index.picks(users[i], user_bias=user_bias[i], exclude_ids=excluded[i], k=10,
                                  allowed_mask=genre), PICKS_BAR_MS)
    measure(f"similar, k=10, {how}", lambda i: index.similar(movies[i], k=10), SIMILAR_BAR_MS)
    if index.approximate:
        measure("picks, k=10, excluded as above, exact (every movie scored)",
                lambda i: exact.picks(users[i], user_bias=user_bias[i], exclude_ids=excluded[i], k=10))
        measure("similar, k=10, exact", lambda i: exact.similar(movies[i], k=10))
    l2, bias_l2, rank_l2 = DEFAULT_PARAMS["l2"], DEFAULT_PARAMS["bias_l2"], DEFAULT_PARAMS["rank_l2"]
    measure("fold_in_ratings, 500 ratings",
            lambda i: fold_in_ratings(index, *ratings_500[i], l2=l2, bias_l2=bias_l2), FOLD_IN_BAR_MS)
    measure("fold_in_sum (spectral picks, the default), 500 ratings",
            lambda i: fold_in_sum(index, ratings_500[i][0]), FOLD_IN_BAR_MS)
    measure("fold_in_choices (softmax picks), 500 ratings",
            lambda i: fold_in_choices(index, ratings_500[i][0], l2=rank_l2), FOLD_IN_BAR_MS)
    measure("fold_in_ratings, 50 ratings", lambda i: fold_in_ratings(index, *ratings_50[i], l2=l2, bias_l2=bias_l2))
    measure("fold_in_choices (softmax), 50 ratings", lambda i: fold_in_choices(index, ratings_50[i][0], l2=rank_l2))
    measure("fold_in_ratings, 1 rating", lambda i: fold_in_ratings(index, *ratings_1[i], l2=l2, bias_l2=bias_l2))
    measure("predict_rating", lambda i: index.predict_rating(users[i], user_bias[i], movies[i]))
    return {"build_ms": build_ms, "blas": blas(), "load": [load_before, os.getloadavg()[0]], "rows": rows,
            "recall": recall_at_10(index, exact, users, excluded, user_bias, movies, genre), "sweep": exact_sweep(rng)}


def recall_at_10(index, exact, users, excluded, user_bias, movies, genre) -> dict:
    """The share of the exact top 10 that the served index returns, over RECALL_USERS users and movies."""
    def overlap(got, expected):
        return len({m for m, _ in got} & {m for m, _ in expected}) / max(len(expected), 1)

    users_range = range(RECALL_USERS)
    return {
        "picks": np.mean([overlap(index.picks(users[i], user_bias=user_bias[i], exclude_ids=excluded[i]),
                                  exact.picks(users[i], user_bias=user_bias[i], exclude_ids=excluded[i]))
                          for i in users_range]),
        "picks with the genre mask": np.mean([overlap(
            index.picks(users[i], user_bias=user_bias[i], exclude_ids=excluded[i], allowed_mask=genre),
            exact.picks(users[i], user_bias=user_bias[i], exclude_ids=excluded[i], allowed_mask=genre))
            for i in users_range]),
        "similar": np.mean([overlap(index.similar(movies[i]), exact.similar(movies[i])) for i in users_range]),
    }


def exact_sweep(rng: np.random.Generator) -> list[tuple[int, float]]:
    """Exact picks' p95 (ms) at growing catalogue sizes and this DIM: where scoring every movie gets too slow,
    which sets ANN_MIN_MOVIES."""
    sweep = []
    for size in SWEEP_SIZES:
        vectors = rng.normal(0, 0.15, (size, DIM)).astype(np.float32)
        exact = EmbeddingIndex(np.arange(size), vectors, approximate=False)
        users = rng.normal(0, 1, (SWEEP_CALLS + WARMUP, DIM)).astype(np.float32)
        rated = [rng.choice(size, 300, replace=False).tolist() for _ in range(SWEEP_CALLS + WARMUP)]
        times = timed(lambda i, exact=exact, users=users, rated=rated: exact.picks(users[i], exclude_ids=rated[i]),
                      SWEEP_CALLS)
        sweep.append((size, float(np.percentile(times, 95))))
    return sweep


def write_report(out: Path, n: int, runs: list) -> None:
    """The Markdown report: setup, the bars with PASS/FAIL per configuration, all measurements."""
    lines = [
        "# Serving index benchmark",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}",
        f"- numpy {np.__version__}; BLAS: {blas()[0]}",
        "- Command: `.venv/bin/python -m bench.serving`",
        f"- Catalog: {N_MOVIES:,} movies × {DIM} dimensions, random float32 vectors around {CLUSTERS} tastes and "
        f"biases; index built in {runs[0][1]['build_ms']:.0f} ms"
        + (" (with its IVF indexes)" if N_MOVIES >= ANN_MIN_MOVIES else ""),
        f"- Each measurement: {n:,} calls timed one by one with time.perf_counter, after {WARMUP} warm-up calls, "
        "in a child process per BLAS configuration:",
    ]
    for label, run in runs:
        lines.append(f"  - {label}: {run['blas'][1]}; load average (1 min) before / after "
                     f"{run['load'][0]:.2f} / {run['load'][1]:.2f}")
    lines += ["", "## Against the bars", "", "| Bar | " + " | ".join(f"{label}: p95" for label, _ in runs) + " |",
              "|---|" + "---|" * len(runs)]
    for i, (name, _, bar) in enumerate(runs[0][1]["rows"]):
        if bar is None:
            continue
        cells = []
        for _, run in runs:
            p95 = np.percentile(run["rows"][i][1], 95)
            cells.append(f"{p95:.2f} ms {'PASS' if p95 <= bar else 'FAIL'}")
        lines.append(f"| {name}: p95 ≤ {bar:g} ms | " + " | ".join(cells) + " |")
    lines += ["", "## Recall@10 of the served index against the exact answer", "",
              f"Over {RECALL_USERS} users and {RECALL_USERS} movies (1.0: the same ten movies).", "",
              "| Call | " + " | ".join(label for label, _ in runs) + " |", "|---|" + "---|" * len(runs)]
    for name in runs[0][1]["recall"]:
        lines.append(f"| {name} | " + " | ".join(f"{run['recall'][name]:.3f}" for _, run in runs) + " |")
    lines += ["", f"## Exact picks (every movie scored) by catalogue size, {DIM} dimensions: p95 ms", "",
              f"{SWEEP_CALLS} calls each, 300 rated movies excluded; from ANN_MIN_MOVIES = {ANN_MIN_MOVIES:,} movies "
              "up the site searches approximately.", "",
              "| Movies | " + " | ".join(label for label, _ in runs) + " |", "|---|" + "---|" * len(runs)]
    for i, (size, _) in enumerate(runs[0][1]["sweep"]):
        lines.append(f"| {size:,} | " + " | ".join(f"{run['sweep'][i][1]:.2f}" for _, run in runs) + " |")
    for label, run in runs:
        lines += ["", f"## Measurements (ms), {label}", "", "| Call | p50 | p95 | p99 | max |", "|---|---|---|---|---|"]
        for name, times, _ in run["rows"]:
            p50, p95, p99 = np.percentile(times, [50, 95, 99])
            lines.append(f"| {name} | {p50:.2f} | {p95:.2f} | {p99:.2f} | {max(times):.2f} |")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
