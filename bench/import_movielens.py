"""Benchmark of the MovieLens importer (movies/importers/movielens.py) against the issue's two bars.

    .venv/bin/python -m bench.import_movielens [--ratings N] [--quick] [--out FILE]

1. "ratings import >= 50% of the rows/s of a bare COPY of the same rows into an empty unindexed table";
2. "a 25-million-rating file (ml-25m size) imports with peak memory under 2 GB".

What one run does, all on the local PostgreSQL server (BENCH_POSTGRES, default
postgres://postgres@127.0.0.1:5432):

- generates (or reuses, when its stamp matches) an ml-25m-shaped CSV release under bench/work/:
  ratings sorted by user then movie, distinct movies per user, half stars, unix timestamps;
- baseline: COPY (CSV, HEADER) of that ratings.csv into an empty unindexed table of a scratch
  database, with psycopg2's copy_expert reading the file; run before and after the imports, to
  show the machine's noise; the bar is judged against the faster of the two (the stricter reading);
- the real import into a freshly created and migrated database, in a child process (this script
  with --child) that reports the wall time of each progress stage, the counts and its peak RSS;
- the same import again into the now-full database (the re-import path, expected to change nothing);
- the import of the real ml-latest-small release (../shared/data/ml-latest-small), if present;
- prints the results and writes them as Markdown (default bench/results/import_movielens.md),
  then drops its scratch databases (bench/work is kept, so reruns skip the generation).

Ratings rows/s of an import = rows of ratings.csv / duration of its "loading ratings" stage, which
includes the rebuild of the indexes and keys. Peak memory is the child's VmHWM (the kernel's
high-water mark of its resident set, from /proc/self/status), i.e. the importing Python process;
the PostgreSQL server's own memory is not counted; the parent also samples the child's RSS as a
cross-check. Before each timed phase the script runs os.sync() and CHECKPOINT, so that no phase pays
for the file writes or the WAL of the one before it.
"""
import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil
import psycopg2

from bench.report import REPO, machine
from synthetic import large_release

WORK = REPO / "bench" / "work"
RESULTS = REPO / "bench" / "results" / "import_movielens.md"
SMALL_RELEASE = REPO.parent / "shared" / "data" / "ml-latest-small"
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
IMPORT_DB = "bench_recsite"
BASELINE_DB = "bench_copy_baseline"
RESULT_MARKER = "BENCH_RESULT "
SLOW_STATEMENT_S = 0.2  # SQL statements of an import that take longer are listed in the report

FULL_RATINGS = 25_000_000
QUICK_RATINGS = 1_000_000

BAR_COPY_RATIO = 0.5
BAR_PEAK_BYTES = 2_000_000_000  # "2 GB", read as 10^9 bytes (the stricter reading of the two)
EXPECTED_UNCHANGED = ["movies_created", "movies_updated", "ratings_created", "ratings_updated", "ratings_deleted",
                      "tags_created", "tags_deleted", "users_created"]


# --------------------------------------------------------------------------------------------------
# The generated release
# --------------------------------------------------------------------------------------------------

def release_parameters(ratings: int, seed: int) -> dict:
    """What defines a generated release: users scale with the ratings (ml-25m's ratio), movies do not."""
    users = max(1, min(round(large_release.USERS_PER_25M * ratings / FULL_RATINGS),
                       ratings // large_release.MIN_PER_USER))
    return {"version": large_release.GENERATOR_VERSION, "seed": seed, "ratings": ratings, "users": users,
            "movies": large_release.MOVIES, "tags": large_release.TAGS}


def ensure_release(params: dict) -> tuple[Path, float | None]:
    """The release folder for PARAMS, generated unless a matching one exists; returns (folder, seconds spent)."""
    folder = WORK / f"ml-bench-{params['ratings']}"
    stamp = folder / "bench-stamp.json"
    if stamp.exists() and json.loads(stamp.read_text()) == params:
        print(f"Reusing the release in {folder.relative_to(REPO)}", flush=True)
        return folder, None
    print(f"Generating {params['ratings']:,} ratings into {folder.relative_to(REPO)} ...", flush=True)
    folder.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)  # written last, so an interrupted generation is never reused
    started = time.monotonic()
    large_release.generate_release(folder, params)
    stamp.write_text(json.dumps(params))
    return folder, time.monotonic() - started


# --------------------------------------------------------------------------------------------------
# PostgreSQL helpers
# --------------------------------------------------------------------------------------------------

def database_url(name: str) -> str:
    return f"{SERVER}/{name}"


def connect(name: str = "postgres"):
    return psycopg2.connect(database_url(name))


def query(name: str, sql: str) -> list[tuple]:
    """Run one statement in database NAME (autocommit) and return its rows."""
    connection = connect(name)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def recreate_database(name: str) -> None:
    query("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    query("postgres", f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    query("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def settle() -> None:
    """Flush dirty pages (the generated files) and PostgreSQL's WAL, so that no timed phase pays for earlier ones."""
    os.sync()
    query("postgres", "CHECKPOINT")


def transactions_elsewhere() -> int:
    """Transactions so far in the server's other databases (not postgres, not ours): other people's load."""
    return int(query("postgres", "SELECT coalesce(sum(xact_commit + xact_rollback), 0) FROM pg_stat_database"
                                 " WHERE datname NOT LIKE 'bench%' AND datname <> 'postgres'")[0][0])


def django_environment(database: str) -> dict:
    """Environment of the Django child processes: the scratch database, production-like settings."""
    return {**os.environ, "DATABASE_URL": database_url(database), "DJANGO_SETTINGS_MODULE": "recsite.settings",
            "DEBUG": "false", "SECRET_KEY": "bench-only-secret-key", "DATA_DIR": str(WORK / "var"),
            "PYTHONPATH": str(REPO)}


def fresh_migrated_database(name: str) -> float:
    """Drop and recreate database NAME and migrate it; returns the seconds the migration took."""
    recreate_database(name)
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=REPO, env=django_environment(name),
                   check=True)
    return time.monotonic() - started


# --------------------------------------------------------------------------------------------------
# The measurements
# --------------------------------------------------------------------------------------------------

def time_bare_copy(ratings_csv: Path) -> dict:
    """COPY the ratings file (CSV, HEADER) into a fresh, empty, unindexed table; rows and seconds."""
    recreate_database(BASELINE_DB)
    query(BASELINE_DB, "CREATE TABLE bare_ratings (user_id integer, movie_id integer, rating real, ts bigint)")
    settle()
    connection = connect(BASELINE_DB)
    try:
        with connection.cursor() as cursor, open(ratings_csv, "rb") as file:
            started = time.monotonic()
            cursor.copy_expert("COPY bare_ratings FROM STDIN WITH (FORMAT csv, HEADER)", file)
            rows = cursor.rowcount
            connection.commit()
            seconds = time.monotonic() - started
    finally:
        connection.close()
    drop_database(BASELINE_DB)
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds}


def run_import(source: Path, database: str) -> dict:
    """Import SOURCE into DATABASE in a child process; returns what the child reported, plus its wall time.

    While the child runs, its RSS is also sampled from here every 0.1 s (psutil): a cross-check of
    the peak the child reports itself. Also measures the WAL written meanwhile (by the whole server),
    and how long a reader of the site's users and movies waits at worst while the import runs.
    """
    reader = connect(database)
    reader.autocommit = True
    longest_read = 0.0
    settle()
    wal_before = query("postgres", "SELECT pg_current_wal_lsn()")[0][0]
    elsewhere_before = transactions_elsewhere()
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", "bench.import_movielens", "--child", str(source)], cwd=REPO,
                             env=django_environment(database), stdout=subprocess.PIPE, text=True)
    sampled_peak = 0
    while True:
        try:
            stdout, _ = child.communicate(timeout=0.1)
            break
        except subprocess.TimeoutExpired:
            try:
                sampled_peak = max(sampled_peak, psutil.Process(child.pid).memory_info().rss)
            except psutil.NoSuchProcess:
                pass
            longest_read = max(longest_read, time_site_read(reader))
    reader.close()
    wall = time.monotonic() - started
    if child.returncode != 0:
        sys.stdout.write(stdout)
        raise SystemExit(f"the import of {source} failed (exit status {child.returncode})")
    lines = [line for line in stdout.splitlines() if line.startswith(RESULT_MARKER)]
    result = json.loads(lines[-1].removeprefix(RESULT_MARKER))
    result["process_wall_s"] = wall
    result["longest_read_s"] = longest_read
    result["sampled_peak_rss_bytes"] = sampled_peak
    result["transactions_elsewhere"] = transactions_elsewhere() - elsewhere_before
    result["wal_bytes"] = int(query("postgres", f"SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '{wal_before}')")[0][0])
    return result


def time_site_read(connection) -> float:
    """Seconds a page's typical reads take: a user by id, a movie by id, a count of ratings."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT username FROM auth_user WHERE id = 1")
        cursor.execute("SELECT title FROM movies_movie WHERE id = 1")
        cursor.execute("SELECT count(*) FROM movies_rating")
    return time.monotonic() - started


def rating_table_state(database: str) -> dict:
    """What the import left in movies_rating: rows, size on disk, and its indexes and constraints."""
    rows = query(database, "SELECT count(*) FROM movies_rating")[0][0]
    size = query(database, "SELECT pg_total_relation_size('movies_rating')")[0][0]
    indexes = [name for (name,) in query(database, "SELECT indexname FROM pg_indexes"
                                                   " WHERE tablename = 'movies_rating' ORDER BY 1")]
    constraints = query(database, "SELECT conname, contype FROM pg_constraint"
                                  " WHERE conrelid = 'movies_rating'::regclass ORDER BY 1")
    return {"rows": rows, "bytes": size, "indexes": indexes, "constraints": [f"{n} ({t})" for n, t in constraints]}


def child_main(source: str) -> None:
    """--child: import SOURCE into DATABASE_URL, then print the stage times, counts and peak RSS as JSON.

    Also times the SQL statements Django runs (not the COPYs, which bypass its cursor wrappers) and
    reports the slow ones, with the stage they ran in.
    """
    import django

    django.setup()
    from django.db import connection

    from movies.importers.movielens import import_movielens
    from movies.importers.progress import Progress

    stages = []  # [name, start time, VmHWM at start]
    slow_statements = []

    def on_progress(stage: str, fraction: float) -> None:
        if not stages or stages[-1][0] != stage:
            stages.append([stage, time.monotonic(), memory_status()["VmHWM"]])

    def time_statement(execute, sql, params, many, context):
        statement_started = time.monotonic()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds = time.monotonic() - statement_started
            if seconds >= SLOW_STATEMENT_S:
                slow_statements.append({"stage": stages[-1][0], "seconds": seconds, "sql": " ".join(sql.split())})

    started = time.monotonic()
    with connection.execute_wrapper(time_statement):
        counts = import_movielens(source, progress=Progress(on_progress))
    finished = time.monotonic()
    ends = [start for _, start, _ in stages[1:]] + [finished]
    memory = memory_status()
    report = {
        "counts": counts,
        "import_s": finished - started,
        "stages": [{"name": name, "seconds": end - start, "peak_rss_at_start": peak}
                   for (name, start, peak), end in zip(stages, ends)],
        "slow_statements": slow_statements,
        "peak_rss_bytes": memory["VmHWM"],
        "ru_maxrss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    print(RESULT_MARKER + json.dumps(report), flush=True)


def memory_status() -> dict[str, int]:
    """VmRSS and VmHWM (peak resident set) of this process, in bytes, from /proc/self/status."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) * 1024
    return values


def stage_seconds(result: dict, name: str) -> float:
    return next(stage["seconds"] for stage in result["stages"] if stage["name"] == name)


def rebuild_seconds(result: dict) -> float:
    """Seconds the ratings stage spent re-creating indexes and keys (the slow statements that do that)."""
    return sum(statement["seconds"] for statement in result["slow_statements"]
               if statement["stage"] == "loading ratings"
               and (" ADD CONSTRAINT " in statement["sql"] or statement["sql"].startswith("CREATE INDEX")))


# --------------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------------

def importer_fingerprint() -> str:
    """A short hash of movies/importers/*.py and their newest change time: which code was measured."""
    digest = hashlib.sha256()
    paths = sorted((REPO / "movies" / "importers").glob("*.py"))
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    newest = datetime.fromtimestamp(max(path.stat().st_mtime for path in paths), UTC)
    return f"sha256 {digest.hexdigest()[:12]} (newest file changed {newest:%Y-%m-%d %H:%M:%S} UTC)"


def machine_and_postgres() -> dict:
    settings = {name: query("postgres", f"SHOW {name}")[0][0] for name in
                ("server_version", "shared_buffers", "maintenance_work_mem", "max_wal_size", "wal_level",
                 "synchronous_commit")}
    return {"machine": machine(), "postgres": settings}


def mib(value: int) -> str:
    return f"{value / 1024**2:,.0f} MiB"


def render(run: dict) -> str:
    """The whole report as Markdown, from what main() measured."""
    info, params, baselines = run["info"], run["params"], run["baselines"]
    first, again, small = run["first"], run["again"], run["small"]
    rows = params["ratings"]
    best = max(baselines, key=lambda baseline: baseline["rows_per_s"])
    worst = min(baselines, key=lambda baseline: baseline["rows_per_s"])
    first_rate = rows / stage_seconds(first, "loading ratings")
    ratio = first_rate / best["rows_per_s"]
    rebuild = rebuild_seconds(first)
    rate_without_rebuild = rows / (stage_seconds(first, "loading ratings") - rebuild)
    peak = first["peak_rss_bytes"]
    bar1 = "PASS" if ratio >= BAR_COPY_RATIO else "FAIL"
    bar2 = "PASS" if peak < BAR_PEAK_BYTES else "FAIL"
    changed = {key: again["counts"].get(key) for key in EXPECTED_UNCHANGED if again["counts"].get(key)}
    pg = info["postgres"]
    lines = [
        "# MovieLens import benchmark",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {info['machine']}; PostgreSQL "
        f"{pg['server_version']} (shared_buffers {pg['shared_buffers']}, maintenance_work_mem "
        f"{pg['maintenance_work_mem']}, max_wal_size {pg['max_wal_size']}, wal_level {pg['wal_level']}, "
        f"synchronous_commit {pg['synchronous_commit']})",
        f"- Importer code (movies/importers/*.py): {run['code_at_start']}"
        + ("" if run["code_at_start"] == run["code_at_end"]
           else f" at the start; **it changed during the run**, at the end: {run['code_at_end']}"),
        f"- Command: `{' '.join(['.venv/bin/python', '-m', 'bench.import_movielens', *sys.argv[1:]])}`",
        f"- Release: {rows:,} ratings by {params['users']:,} users of {params['movies']:,} movies, "
        f"{params['tags']:,} tags (seed {params['seed']}); "
        + ("reused from bench/work" if run["generation_s"] is None else f"generated in {run['generation_s']:.0f} s"),
        f"- ratings.csv: {run['ratings_csv_bytes'] / 1e6:,.0f} MB",
        "",
        "## Against the bars",
        "",
        "| Bar | Measured | Ratio | Result |",
        "|---|---|---|---|",
        f"| 1. ratings rows/s >= 50% of a bare COPY | {first_rate:,.0f} rows/s vs {best['rows_per_s']:,.0f} "
        f"rows/s | {ratio:.0%} | {bar1} |",
        f"| 2. peak memory < 2 GB (10^9 bytes) | {mib(peak)} | {peak / BAR_PEAK_BYTES:.0%} of the bar | {bar2} |",
        "",
        f"- Bar 1 against the slower bare COPY of this run ({worst['rows_per_s']:,.0f} rows/s): "
        f"{first_rate / worst['rows_per_s']:.0%}.",
        f"- Of the first import's \"loading ratings\" stage, {rebuild:.1f} s went to re-creating the indexes and "
        f"keys; without them it would run at {rate_without_rebuild:,.0f} rows/s, "
        f"{rate_without_rebuild / best['rows_per_s']:.0%} of the faster bare COPY (for information: the bar "
        "includes them).",
        f"- While the first import ran, the site's reads (a user, a movie, a count of ratings) took at most "
        f"{first['longest_read_s']:.2f} s; during the re-import at most {again['longest_read_s']:.2f} s.",
        f"- Peak RSS of the first import as sampled every 0.1 s from outside: {mib(first['sampled_peak_rss_bytes'])}"
        f"; of the re-import: reported {mib(again['peak_rss_bytes'])}, sampled "
        f"{mib(again['sampled_peak_rss_bytes'])}.",
        "",
        "## Measurements",
        "",
        "| Phase | Seconds | Ratings rows/s | Peak RSS of the Python process | WAL written |",
        "|---|---|---|---|---|",
    ]
    for index, baseline in enumerate(baselines):
        when = "before" if index == 0 else "after"
        lines.append(f"| Bare COPY, CSV from the file ({when} the imports) | {baseline['seconds']:.1f} | "
                     f"{baseline['rows_per_s']:,.0f} | - | - |")
    lines.append(f"| Migrating the fresh database | {run['migrate_s']:.1f} | - | - | - |")
    for label, result in (("First import (COPY into a new table)", first), ("Re-import (staging path)", again)):
        ratings_s = stage_seconds(result, "loading ratings")
        lines.append(f"| {label}: whole import | {result['import_s']:.1f} | - | {mib(result['peak_rss_bytes'])} | "
                     f"{mib(result['wal_bytes'])} |")
        lines.append(f"| {label}: \"loading ratings\" stage | {ratings_s:.1f} | {rows / ratings_s:,.0f} | - | - |")
    if small:
        small_rows = small["counts"].get("ratings_created", 0)
        ratings_s = stage_seconds(small, "loading ratings")
        lines.append(f"| ml-latest-small, fresh database: whole import | {small['import_s']:.1f} | - | "
                     f"{mib(small['peak_rss_bytes'])} | {mib(small['wal_bytes'])} |")
        lines.append(f"| ml-latest-small: \"loading ratings\" stage | {ratings_s:.2f} | "
                     f"{small_rows / ratings_s:,.0f} | - | - |")
    lines += ["", "## Stages (seconds; peak RSS of the process when the stage began)", "",
              "| Stage | First import | Re-import |" + (" ml-latest-small |" if small else ""),
              "|---|---|---|" + ("---|" if small else "")]
    for stage in first["stages"]:
        cells = []
        for result in [first, again] + ([small] if small else []):
            match = next((s for s in result["stages"] if s["name"] == stage["name"]), None)
            cells.append(f"{match['seconds']:.2f} ({mib(match['peak_rss_at_start'])})" if match else "-")
        lines.append(f"| {stage['name']} | " + " | ".join(cells) + " |")
    lines += ["", "## Counts", "",
              f"- First import: `{json.dumps(first['counts'])}`",
              f"- Re-import: `{json.dumps(again['counts'])}`"
              + (f" **changed something: {changed}**" if changed else " (nothing changed, as expected)"),
              ]
    if small:
        lines.append(f"- ml-latest-small: `{json.dumps(small['counts'])}`")
    lines += ["", f"## SQL statements over {SLOW_STATEMENT_S} s (COPYs not included)", "",
              "| Import | Stage | Seconds | Statement |", "|---|---|---|---|"]
    for label, result in (("First", first), ("Re-import", again)):
        for statement in result["slow_statements"]:
            sql = statement["sql"] if len(statement["sql"]) <= 110 else statement["sql"][:107] + "..."
            lines.append(f"| {label} | {statement['stage']} | {statement['seconds']:.1f} | `{sql}` |")
    lines += ["", "## movies_rating after each import", ""]
    for label, state in (("First import", run["first_state"]), ("Re-import", run["again_state"])):
        lines.append(f"- {label}: {state['rows']:,} rows, {mib(state['bytes'])} with indexes; indexes "
                     f"{', '.join(state['indexes'])}; constraints {', '.join(state['constraints'])}")
    lines += [
        "", "## Method", "",
        "- Both bars come from this one run. The bare COPY ran before and after the imports; bar 1 compares",
        "  with the faster of the two. Import rows/s = rows of ratings.csv / the \"loading ratings\" stage,",
        "  index and key rebuild included.",
        "- Each import ran in its own child process with DEBUG=false; its peak RSS is the kernel's VmHWM of",
        "  that process (/proc/self/status). PostgreSQL's own memory is not included. os.sync() and CHECKPOINT",
        "  ran before each timed phase. WAL written is the server's, from pg_current_wal_lsn() before and after.",
        f"- ru_maxrss reported by the children (it can include this script's size at spawn time): first import "
        f"{mib(first['ru_maxrss_bytes'])}, re-import {mib(again['ru_maxrss_bytes'])}.",
        "- Transactions in the server's other databases while each import ran (other people's load, which "
        f"also adds to WAL written): first import {first['transactions_elsewhere']}, re-import "
        f"{again['transactions_elsewhere']}"
        + (f", ml-latest-small {small['transactions_elsewhere']}." if small else "."),
        f"- Child process wall times (Django start-up included): first import {first['process_wall_s']:.1f} s, "
        f"re-import {again['process_wall_s']:.1f} s.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ratings", type=int, default=FULL_RATINGS, help="ratings to generate (default 25M)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_RATINGS:,} ratings, report under bench/work")
    parser.add_argument("--seed", type=int, default=25)
    parser.add_argument("--out", type=Path, help=f"Markdown report (default {RESULTS.relative_to(REPO)})")
    parser.add_argument("--child", metavar="SOURCE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child)
        return
    ratings = QUICK_RATINGS if args.quick else args.ratings
    if ratings < 1_000:
        parser.error("--ratings must be at least 1000")
    out = args.out or (WORK / "import_movielens-quick.md" if args.quick else RESULTS)

    run = {"code_at_start": importer_fingerprint(), "info": machine_and_postgres(),
           "params": release_parameters(ratings, args.seed)}
    release, run["generation_s"] = ensure_release(run["params"])
    ratings_csv = release / "ratings.csv"
    run["ratings_csv_bytes"] = ratings_csv.stat().st_size
    try:
        print("Bare COPY baseline ...", flush=True)
        run["baselines"] = [time_bare_copy(ratings_csv)]
        print("First import into a fresh database ...", flush=True)
        run["migrate_s"] = fresh_migrated_database(IMPORT_DB)
        run["first"] = run_import(release, IMPORT_DB)
        run["first_state"] = rating_table_state(IMPORT_DB)
        print("Re-import into the full database ...", flush=True)
        run["again"] = run_import(release, IMPORT_DB)
        run["again_state"] = rating_table_state(IMPORT_DB)
        print("Bare COPY baseline again ...", flush=True)
        run["baselines"].append(time_bare_copy(ratings_csv))
        run["small"] = None
        if SMALL_RELEASE.is_dir():
            print("ml-latest-small into a fresh database ...", flush=True)
            fresh_migrated_database(IMPORT_DB)
            run["small"] = run_import(SMALL_RELEASE, IMPORT_DB)
    finally:
        drop_database(IMPORT_DB)
        drop_database(BASELINE_DB)
    run["code_at_end"] = importer_fingerprint()
    report = render(run)
    print()
    print(report)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    print(f"Written to {out}")


if __name__ == "__main__":
    main()
