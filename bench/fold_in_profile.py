"""Where the picks page's time goes after a rating: ml.serving.fold_in.fold_in_choices, step by step, at the
product's size.

A rating changes the user's token, so his next picks request folds his ranking-tower vector in again
(ml/serving/recommendations.py `_ranking_vector`, starting from his previous vector) before ranking the catalog. This
times, with one BLAS thread as in the web processes, on a catalog of ml-latest-small's size (9,742 movies) and the
ranking tower's width (128; random vectors and popularity-like biases: the cost does not depend on the values
much, the number of Newton steps a little): the whole fold-in from zero and from the previous vector after one
more rating, the steps each takes, and the parts of one step. Prints a markdown table.

    .venv/bin/python -m bench.fold_in_profile [--movies 9742] [--dimensions 128] [--rated 20]
"""
import argparse
import os

os.environ.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")

import time  # noqa: E402

import numpy as np  # noqa: E402

from ml.serving import fold_in  # noqa: E402
from ml.serving.index import EmbeddingIndex  # noqa: E402


def timed(function, repeat: int) -> tuple[float, float]:
    """Median and 90th percentile of `repeat` calls, in ms."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times)), float(np.percentile(times, 90))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=9742)
    parser.add_argument("--dimensions", type=int, default=128)
    parser.add_argument("--rated", type=int, default=20)
    parser.add_argument("--l2", type=float, default=0.05)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n, d = args.movies, args.dimensions
    vectors = rng.normal(0, 0.3, (n, d)).astype(np.float32)
    bias = rng.normal(0, 1.5, n).astype(np.float32)
    index = EmbeddingIndex(np.arange(1, n + 1), vectors, bias)
    rated = rng.choice(np.arange(1, n + 1), args.rated, replace=False)
    one_more = np.append(rated, next(i for i in range(1, n + 1) if i not in set(rated)))

    steps = {"n": 0}
    solve = np.linalg.solve

    def counting_solve(a, b):
        steps["n"] += 1
        return solve(a, b)

    fold_in.np.linalg.solve = counting_solve
    previous = fold_in.fold_in_choices(index, rated, l2=args.l2)
    from_zero, steps_zero = timed(lambda: fold_in.fold_in_choices(index, one_more, l2=args.l2), 30), steps["n"] / 31
    steps["n"] = 0
    warm = timed(lambda: fold_in.fold_in_choices(index, one_more, l2=args.l2, start=previous), 30)
    steps_warm = steps["n"] / 30
    fold_in.np.linalg.solve = solve

    w = previous.astype(np.float64)
    z = vectors @ w.astype(np.float32) + bias
    p = np.exp(z - z.max())
    p = (p / p.sum()).astype(np.float32)
    support = min(fold_in.HESSIAN_SUPPORT, n)
    heavy = np.argpartition(p, n - support)[n - support:]
    v, q = vectors[heavy], p[heavy]
    hessian = ((v.T * q) @ v).astype(np.float64) + np.eye(d)
    parts = [
        ("logits and softmax over the catalog (V·w, exp, sum)", lambda: np.exp(vectors @ w.astype(np.float32) + bias
                                                                              - 1).sum(dtype=np.float64)),
        ("gradient over the catalog (p·V)", lambda: p @ vectors),
        (f"the {support} heaviest movies (argpartition)", lambda: np.argpartition(p, n - support)),
        (f"their rows ({support} × {d} gather)", lambda: vectors[heavy]),
        (f"Hessian (Vᵀ·diag(q)·V over {support} rows)", lambda: (v.T * q) @ v),
        (f"Newton step (solve {d} × {d})", lambda: solve(hessian, np.ones(d))),
        ("ranking the catalog for the picks (index.picks, k=10)", lambda: index.picks(previous, exclude_ids=rated,
                                                                                        k=10)),
    ]
    print(f"Catalog {n:,} movies × {d} dimensions, {args.rated} + 1 rated movies, one BLAS thread; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores.\n")
    print("| what | p50 ms | p90 ms | Newton steps |")
    print("|---|---|---|---|")
    print(f"| fold_in_choices from zero | {from_zero[0]:.2f} | {from_zero[1]:.2f} | {steps_zero:.1f} |")
    print(f"| fold_in_choices from the previous vector (what a picks request after a rating does) | {warm[0]:.2f} "
          f"| {warm[1]:.2f} | {steps_warm:.1f} |")
    for label, function in parts:
        p50, p90 = timed(function, 200)
        print(f"| {label} | {p50:.3f} | {p90:.3f} | |")


if __name__ == "__main__":
    main()
