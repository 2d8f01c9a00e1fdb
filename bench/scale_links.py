"""Issue 15, bar 5: the link model at enwiki scale, against implicit ALS on the same film × link matrix.

    .venv/bin/python -m bench.scale_links [--films N] [--out FILE]

Each stage runs in a child process (wall time and peak RSS from wait4):

1. generate: planted links (numpy): films in clusters of FILMS_PER_CLUSTER, each with 40–160 links (100 on
   average): half to its cluster's pool of pages, 30 % to COMMON_PAGES popular pages (Zipf-like), 20 % noise
   among 13 pages per film; targets more than 20 % of the films link to are dropped, as the Wikipedia importer does.
2. import: the films as Movie rows and their links as WikiLink rows, by COPY, into a scratch database.
3. `manage.py retrain links`, the whole command; its stages timed from its output lines (write-back: saving
   vectors).
4. implicit ALS (64 factors, 15 iterations, 2 threads) on the same matrix (links of at least two films).
5. Planted-cluster precision@5 of both: for SAMPLE films, the share of the 5 nearest others by cosine of their
   vectors (ours: as stored) that are in their cluster.

Bars: `retrain links` within 10× ALS's wall time, precision@5 ≥ 0.8. Writes bench/results/scale_links.md.
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

from bench.import_movielens import django_environment, fresh_migrated_database, query
from bench.report import REPO, Report, machine, time_ratio_row

WORK = REPO / "bench" / "work" / "scale_links"
DATABASE = "bench_links"
FILMS_PER_CLUSTER, POOL, COMMON_PAGES, NOISE_PAGES_PER_FILM = 100, 200, 5000, 13  # 1.95M noise pages
SHARES = (0.5, 0.3, 0.2)  # own cluster, common, noise
COMMON_SHARE, COMMON_MIN_FILMS = 0.2, 10  # the importer's defaults
SAMPLE, K = 2000, 5
TIME_RATIO_BAR, PRECISION_BAR = 10.0, 0.8


def generate(films: int, path: Path, seed: int = 0) -> None:
    """The planted pairs, deduplicated and sorted by film, with each film's cluster."""
    rng = np.random.default_rng(seed)
    n_clusters = -(-films // FILMS_PER_CLUSTER)
    clusters = rng.permutation(films) % n_clusters
    film = np.repeat(np.arange(films), rng.integers(40, 161, films))
    kind = rng.choice(3, len(film), p=SHARES)
    weights, noise_pages = 1.0 / (np.arange(COMMON_PAGES) + 20), films * NOISE_PAGES_PER_FILM
    link = np.where(kind == 0, COMMON_PAGES + clusters[film] * POOL + rng.integers(0, POOL, len(film)),
                    np.where(kind == 1, rng.choice(COMMON_PAGES, len(film), p=weights / weights.sum()),
                             COMMON_PAGES + n_clusters * POOL + rng.integers(0, noise_pages, len(film))))
    n_links = COMMON_PAGES + n_clusters * POOL + noise_pages
    keys = np.unique(film.astype(np.int64) * n_links + link)
    film, link = keys // n_links, keys % n_links
    frequency = np.bincount(link, minlength=n_links)
    common = (frequency > COMMON_SHARE * films) & (frequency >= COMMON_MIN_FILMS)
    keep = ~common[link]
    np.savez(path, films=film[keep].astype(np.int32), links=link[keep].astype(np.int32), clusters=clusters,
             dropped=np.flatnonzero(common))


def store(path: Path) -> None:
    """Movies (page id = film + 1) and their WikiLink rows ("Page N"), as a first Wikipedia import leaves them."""
    import django

    django.setup()
    from django.db import connection, transaction

    from movies.importers import bulk

    data = np.load(path)
    films = len(data["clusters"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO movies_movie (title, movielens_title, year, wikipedia_title, wikipedia_page_id, directors,"
            " num_ratings, created_at, updated_at) SELECT 'Film ' || n, '', 1900 + mod(n, 120),"
            " 'Film ' || n || ' (film)', n + 1, '[]', 0, now(), now() FROM generate_series(0, %s) AS n", [films - 1])
        cursor.execute("SELECT wikipedia_page_id - 1, id FROM movies_movie")
        page, movie = np.array(cursor.fetchall(), np.int64).T
        movie_of = np.empty(films, np.int64)
        movie_of[page] = movie
        cursor.execute("CREATE TEMPORARY TABLE pairs (movie_id bigint, link bigint)")
        bulk.copy_binary(cursor, "pairs", ["movie_id", "link"], ["bigint", "bigint"],
                         [movie_of[data["films"]], data["links"].astype(np.int64)])
        with bulk.loaded_beside(cursor, "movies_wikilink") as shadow:
            cursor.execute(f"INSERT INTO {shadow} (movie_id, target) SELECT movie_id, 'Page ' || link FROM pairs")
        cursor.execute("DROP TABLE pairs")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE movies_movie")
        cursor.execute("ANALYZE movies_wikilink")


def fit_als(path: Path, out: Path) -> None:
    """Implicit ALS on the film × link matrix of the links at least two films share; the film factors and the
    fit's seconds."""
    import scipy.sparse
    import threadpoolctl
    from implicit.cpu.als import AlternatingLeastSquares

    data = np.load(path)
    films, links = data["films"], data["links"]
    shared = np.bincount(links) >= 2
    keep = shared[links]
    _, columns = np.unique(links[keep], return_inverse=True)
    matrix = scipy.sparse.csr_matrix((np.ones(int(keep.sum()), np.float32), (films[keep], columns)),
                                     shape=(len(data["clusters"]), int(columns.max()) + 1))
    started = time.monotonic()
    model = AlternatingLeastSquares(factors=64, iterations=15, num_threads=2, random_state=0,
                                    calculate_training_loss=False)
    with threadpoolctl.threadpool_limits(1, "blas"):
        model.fit(matrix, show_progress=False)
    np.savez(out, vectors=model.user_factors, seconds=time.monotonic() - started, pairs=matrix.nnz,
             links=matrix.shape[1])


def precision_at(vectors: np.ndarray, clusters: np.ndarray, films: np.ndarray, k: int = K) -> float:
    """Mean share of the k nearest other films (cosine) of each of ``films`` that are in its cluster."""
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    hits = []
    for start in range(0, len(films), 200):
        chunk = films[start:start + 200]
        scores = unit[chunk] @ unit.T
        scores[np.arange(len(chunk)), chunk] = -np.inf
        top = np.argpartition(-scores, k, axis=1)[:, :k]
        hits.append((clusters[top] == clusters[chunk, None]).mean(axis=1))
    return float(np.concatenate(hits).mean())


def stored_vectors(films: int) -> np.ndarray:
    """The active links version's movie vectors, by film (page id − 1)."""
    rows = query(DATABASE, "SELECT m.wikipedia_page_id - 1, v.vector FROM ml_movievector v JOIN ml_modelversion mv"
                           " ON mv.id = v.version_id JOIN movies_movie m ON m.id = v.movie_id"
                           " WHERE mv.kind = 'links' AND mv.is_active")
    vectors = np.stack([np.frombuffer(bytes(vector), np.float32) for _, vector in rows])
    out = np.zeros((films, vectors.shape[1]), np.float32)  # a film without shared links: no vector
    out[[film for film, _ in rows]] = vectors
    return out


def child(report: Report, name: str, args: list[str], env: dict) -> tuple[float, int, list]:
    """Run ``python ARGS``; its seconds, peak RSS bytes and its output lines, each with the seconds it came at."""
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, *args], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
    lines = [(time.monotonic() - started, line.rstrip()) for line in process.stdout]
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    if status != 0:
        raise SystemExit(f"{name} failed (status {status}): {lines[-5:]}")
    report(f"- {name}: {seconds:.0f} s, peak RSS {usage.ru_maxrss / 2**20:.2f} GiB")
    return seconds, usage.ru_maxrss * 1024, lines


def stage_times(lines: list, seconds: float) -> list[tuple[str, str]]:
    """Seconds spent in each stage line of `retrain links` (from each line to the next; the first from the
    process's start: Python, Django, TensorFlow)."""
    stages = [(at, text) for at, text in lines if text.startswith("links:")]
    rows = [("(start: Python, Django, TensorFlow)", f"{stages[0][0]:.1f}")]
    for (at, text), (after, _) in zip(stages, stages[1:] + [(seconds, "")]):
        rows.append((text.removeprefix("links:").strip()[:90], f"{after - at:.1f}"))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--films", type=int, default=150_000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--reuse", action="store_true", help="keep the pairs and the database of the last run")
    parser.add_argument("--stage", choices=["generate", "import", "als"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    pairs, als_out = WORK / f"links-{args.films}.npz", WORK / f"als-{args.films}.npz"
    if args.stage:
        {"generate": lambda: generate(args.films, pairs), "import": lambda: store(pairs),
         "als": lambda: fit_als(pairs, als_out)}[args.stage]()
        return
    out = args.out or REPO / "bench" / "results" / ("scale_links.md" if args.films == 150_000
                                                    else f"scale_links_{args.films}.md")
    report = Report()
    report("# Scale: the link model at enwiki scale (issue 15, bar 5)")
    report()
    report(f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    report(f"- Machine: {machine()}")
    reuse = " --reuse" if args.reuse else ""
    report(f"- Command: `.venv/bin/python -m bench.scale_links --films {args.films}{reuse}`")
    report()
    report("## Stages, each in a child process")
    report()
    env = {**django_environment(DATABASE), "TF_CPP_MIN_LOG_LEVEL": "2", "OMP_NUM_THREADS": "2"}
    me = ["-m", "bench.scale_links", "--films", str(args.films), "--stage"]
    if args.reuse:
        report("- generate, import: reused from the run before (`--reuse`)")
    else:
        child(report, "generate", [*me, "generate"], env)
        fresh_migrated_database(DATABASE)
        child(report, "import (Movie and WikiLink rows by COPY)", [*me, "import"], env)
    data = np.load(pairs)
    films, clusters = len(data["clusters"]), data["clusters"]
    retrain_seconds, retrain_rss, lines = child(report, "`manage.py retrain links`", ["manage.py", "retrain", "links"],
                                                env)
    als_seconds_wall, als_rss, _ = child(report, "implicit ALS (data, fit)", [*me, "als"],
                                     {**env, "OPENBLAS_NUM_THREADS": "1"})
    als = np.load(als_out)
    report()
    report(f"Data: {films:,} films in {clusters.max() + 1:,} clusters, {len(data['links']):,} (film, link) pairs "
           f"after dropping {len(data['dropped'])} common targets; ALS's matrix (links of ≥ 2 films): "
           f"{int(als['pairs']):,} pairs, {int(als['links']):,} links.")
    report()
    report("### `retrain links`, its stages (seconds from each output line to the next)")
    report()
    report.table(["stage", "s"], stage_times(lines, retrain_seconds))
    (evaluation,) = query(DATABASE, "SELECT evaluation FROM ml_trainingrun WHERE kind = 'links' ORDER BY id DESC"
                                    " LIMIT 1")[0]
    report(f"Epochs: {query(DATABASE, 'SELECT epochs FROM ml_trainingrun ORDER BY id DESC LIMIT 1')[0][0]}")
    report(f"The run's evaluation: {json.dumps(evaluation)}")
    report()
    sample = np.random.default_rng(0).choice(films, SAMPLE, replace=False)
    ours, theirs = precision_at(stored_vectors(films), clusters, sample), precision_at(als["vectors"], clusters, sample)
    als_seconds = float(als["seconds"])
    report("## Against the bars")
    report()
    report.table(["bar", "measured", "result"], [
        time_ratio_row("retrain links", retrain_seconds, als_seconds, TIME_RATIO_BAR, "ALS's fit"),
        (f"precision@{K} ≥ {PRECISION_BAR}", f"ours {ours:.3f}, ALS {theirs:.3f} ({SAMPLE} films)",
         "PASS" if ours >= PRECISION_BAR else "FAIL"),
    ])
    report(f"Peak RSS: `retrain links` {retrain_rss / 2**30:.2f} GiB, ALS's child {als_rss / 2**30:.2f} GiB "
           f"({als_seconds_wall:.0f} s with loading the pairs).")
    report.write(out)


if __name__ == "__main__":
    main()
