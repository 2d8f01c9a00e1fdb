"""Mixed traffic against the site while a retrain runs: zero errors, p99 latency, web memory over time.

Throwaway PostgreSQL and Redis (bench/faults/throwaway.py) on loopback; MovieLens ml-latest-small from
../shared/data if it is there (else a generated release); a first small training so that picks and
similar movies come from a model; 200 active users with 20 ratings each and API tokens. Then gunicorn
(Redis as the shared cache, as in production) and one Celery worker start, a retrain with the product's
parameters is kept running (another is started whenever one ends), and wrk sends mixed traffic at
--connections (bench/load.lua: 20% browse, 15% search, 20% movie, 10% similar, 15% picks, 15% rating writes,
5% home page), in two phases of --seconds each:

1. as fast as the connections go (each sends its next request when the answer arrives): the issue's load. Its
   latency is that of a saturated site: by Little's law the mean is connections ÷ throughput.
2. paced at --rate requests/s in all (each connection waits connections ÷ rate between requests): the latency
   of a busy site that is not overloaded.

The web processes' memory is sampled every 30 s.

    .venv/bin/python bench/load.py [--seconds 300] [--connections 32] [--rate 100] [--out bench/results/load.md]
"""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.faults.throwaway import (  # noqa: E402
    ROOT,
    Postgres,
    Redis,
    answers,
    environment,
    free_port,
    manage,
    now,
    wait_until,
    worker,
)
from bench.report import Report, machine  # noqa: E402

SHARED_RELEASE = ROOT.parent / "shared" / "data" / "ml-latest-small"
QUICK_TRAINING = {"max_epochs": 3}
USERS, RATINGS_EACH = 200, 20
P99_BAR_MS = 50
ACCESS_FORMAT = "%(m)s %(U)s %(q)s %(s)s %(D)s"  # method, path, query, status, microseconds in the web process


def rss_mb(pids) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
        except (OSError, StopIteration):
            pass
    return total / 1024


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rate", type=float, default=100,
                        help="requests/s offered in the paced phase (0: no paced phase)")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--out", type=Path, default=Path("bench/results/load.md"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="recsite-load-"))
    postgres, redis = Postgres(), Redis()
    env = environment(postgres.url, redis.url(), work, CACHE_URL=redis.url(1), API_WRITE_RATE="1000000/minute",
                      LOG_LEVEL="WARNING")
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "CELERY_BROKER_URL", "DATA_DIR", "DEBUG",
                                                 "SECRET_KEY", "ALLOWED_HOSTS")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recsite.settings")
    processes, stop, results = [], threading.Event(), []
    try:
        manage(env, "migrate", "--no-input", "-v0")
        import django
        import django.utils.timezone

        django.setup()
        from django.contrib.auth import get_user_model
        from rest_framework.authtoken.models import Token

        from ml import runs
        from ml.models import ModelKind, TrainingRun
        from movies.importers.movielens import import_movielens
        from movies.models import Movie, Rating
        from movies.synthetic import generate_dataset

        source = SHARED_RELEASE if SHARED_RELEASE.exists() else generate_dataset(
            work / "ml-gen", n_users=600, n_movies=9000, ratings_per_user=160, name="ml-gen").path
        import_movielens(str(source))
        movie_ids = list(Movie.objects.values_list("pk", flat=True))
        rng = random.Random(1)
        users = get_user_model().objects.bulk_create(get_user_model()(username=f"load{n}") for n in range(USERS))
        when = django.utils.timezone.now()
        Rating.objects.bulk_create(Rating(user=user, movie_id=movie, value=rng.randint(1, 10) / 2, rated_at=when)
                                   for user in users for movie in rng.sample(movie_ids, RATINGS_EACH))
        tokens = [Token.objects.create(user=user).key for user in users]
        (work / "load.txt").write_text("".join(f"token {t}\n" for t in tokens)
                                       + "".join(f"movie {m}\n" for m in movie_ids))

        processes.append(worker(env, work / "worker.log"))
        first, _ = runs.start_run(ModelKind.RATINGS, parameters=QUICK_TRAINING)
        wait_until(lambda: TrainingRun.objects.get(pk=first.pk).status in ("succeeded", "failed"), 600, "training")
        assert TrainingRun.objects.get(pk=first.pk).status == "succeeded", TrainingRun.objects.get(pk=first.pk).error

        port = free_port()
        web = subprocess.Popen([sys.executable, "-m", "gunicorn", "recsite.wsgi", "--bind", f"127.0.0.1:{port}",
                                "--workers", str(args.web_workers), "--threads", str(args.web_threads),
                                "--access-logfile", str(work / "access.log"), "--access-logformat", ACCESS_FORMAT],
                               cwd=ROOT, env=env, stdout=open(work / "site.log", "a"), stderr=subprocess.STDOUT)
        processes.append(web)
        wait_until(lambda: answers(port), 60, "gunicorn")
        base = f"http://127.0.0.1:{port}"
        # Warm up: each web process loads the model's index on its first picks.
        warm = subprocess.run(["wrk", "-t1", "-c4", "-d10s", "-s", "bench/load.lua", base, "--",
                               str(work / "load.txt")], cwd=ROOT, capture_output=True, text=True)
        web_pids = children(web.pid)
        rss_start = rss_mb(web_pids)

        retrains = []

        def keep_training():
            while not stop.is_set():
                run, _ = runs.start_run(ModelKind.RATINGS)
                retrains.append(run.pk)
                while not stop.wait(1):
                    if TrainingRun.objects.get(pk=run.pk).status in ("succeeded", "failed"):
                        break
            from django.db import connection

            connection.close()

        trainer = threading.Thread(target=keep_training)
        trainer.start()
        wait_until(lambda: TrainingRun.objects.filter(status="running").exists(), 120, "the retrain to start")
        rss = [(0.0, rss_start)]
        sampler = threading.Thread(target=sample_rss, args=(web_pids, rss, stop, time.monotonic()), daemon=True)
        sampler.start()
        phases = [("closed", 0.0)] + ([("paced", args.connections / args.rate * 1000)] if args.rate else [])
        for name, pause_ms in phases:
            log_start = (work / "access.log").stat().st_size
            started = time.monotonic()
            run = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency",
                                  "--timeout", "10s", "-s", "bench/load.lua", base, "--", str(work / "load.txt"),
                                  f"{pause_ms:.1f}"], cwd=ROOT, capture_output=True, text=True)
            with open(work / "access.log") as log:
                log.seek(log_start)
                server_times = by_kind(log)
            results.append((name, pause_ms, time.monotonic() - started, run.stdout, server_times))
        rss.append((time.monotonic() - started, rss_mb(web_pids)))
        still_training = TrainingRun.objects.filter(status="running").exists()
        stop.set()
        trainer.join()
        statuses = dict(TrainingRun.objects.filter(pk__in=retrains).values_list("pk", "status"))
        alive = web.poll() is None and all(Path(f"/proc/{pid}").exists() for pid in web_pids)
    finally:
        stop.set()
        for process in processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:  # a worker's warm shutdown waits for the retrain to end
                    process.kill()
                    process.wait()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django never got set up
            pass
        postgres.remove()
        redis.remove()
        shutil.rmtree(work, ignore_errors=True)

    print(warm.stdout[-500:])
    report = Report()
    report("# Load: mixed traffic while a retrain runs")
    report()
    report(f"- Date: {now()}")
    report(f"- Machine: {machine()}")
    options = (f" --seconds {args.seconds}" if args.seconds != 300 else "") + (
        f" --connections {args.connections}" if args.connections != 32 else "") + (
        f" --rate {args.rate:g}" if args.rate != 100 else "")
    report(f"- Command: `.venv/bin/python bench/load.py{options}`")
    report(f"- Site: gunicorn, {args.web_workers} processes × {args.web_threads} threads, production settings "
           "(Redis as the shared cache), throwaway PostgreSQL 15 and Redis on loopback; one Celery worker (solo, at "
           "the default WORKER_NICENESS) retraining the ratings model with the product's parameters the whole "
           "time (a new run whenever one ended)")
    report(f"- Data: {source.name}, plus {USERS} active users with {RATINGS_EACH} ratings each and API tokens")
    report(f"- Traffic: wrk, {args.connections} connections, bench/load.lua (20% browse, 15% search, 20% movie, 10% "
           "similar, 15% picks, 15% rating writes, 5% home page), each request as a random user; first as fast as "
           "the connections can go (each sends its next request as soon as the answer arrives), then paced (each "
           "waits connections ÷ rate before its next request)")
    report(f"- The load generator shares the machine's {os.cpu_count()} cores with the site, the database and the "
           "training")
    report()
    rows, verdicts = [], []
    for name, pause_ms, elapsed, out, _ in results:
        measured = parse_wrk(out)
        label = ("as fast as they go" if name == "closed" else
                 f"paced: {pause_ms:.0f} ms between a connection's requests (offered ≈ {args.rate:g}/s)")
        rows.append([label, f"{measured['requests']:,} ({measured['requests'] / elapsed:.0f}/s)",
                     f"**{measured['errors']}**", " / ".join(measured["latency"][p] for p in ("50", "75", "90", "99"))])
        verdicts.append((label, measured))
    report.table(["phase", "requests", "errors", "latency p50 / p75 / p90 / p99"], rows)
    report.table(["measure", "value"], [
        ["web processes' RSS (sum), every 30 s", " → ".join(f"{mb:.0f}" for _, mb in rss) + " MB"],
        ["web processes alive and the same at the end", "yes" if alive else "**no**"],
        ["a retrain running at the end of the load", "yes" if still_training else "no"],
        ["retrain runs during the load", ", ".join(f"#{pk} {status}" for pk, status in statuses.items())],
    ])
    for (_, _, _, _, server_times), (label, _) in zip(results, verdicts):
        report(f"Time in the web process by kind of request, {label} (from gunicorn's access log; the latency "
               "above adds the wait for a free thread):")
        report()
        report.table(["request", "count", "p50 ms", "p90 ms", "p99 ms"],
                     [[kind, len(times), *(f"{np.percentile(times, q):.1f}" for q in (50, 90, 99))]
                      for kind, times in sorted(server_times.items())])
    for (_, _, _, out, _), (label, _) in zip(results, verdicts):
        report(f"wrk, {label}:")
        report("```")
        report(out.strip())
        report("```")
    report()
    errors = sum(measured["errors"] for _, measured in verdicts)
    report(f"**Errors: {'PASS' if errors == 0 else 'FAIL'}** (bar: none).")
    for label, measured in verdicts:
        report(f"**p99, {label}: {'PASS' if measured['p99'] <= P99_BAR_MS else 'FAIL'}** ({measured['p99']:.1f} ms; "
               f"bar of the website issue: ≤ {P99_BAR_MS:g} ms, there at 16 connections without a retrain).")
    report.write(args.out)
    return 0 if errors == 0 else 1


def sample_rss(pids, samples: list, stop: threading.Event, start: float) -> None:
    while not stop.wait(30):
        samples.append((time.monotonic() - start, rss_mb(pids)))


def by_kind(log) -> dict[str, list[float]]:
    """Milliseconds spent in the web process per kind of request of bench/load.lua, from the access log."""
    times = {}
    for line in log:
        method, path, query, _, micros = line.split(" ")
        if method == "PUT":
            kind = "rating write"
        elif path == "/":
            kind = "home page"
        elif path == "/api/me/picks/":
            kind = "picks"
        elif path.endswith("/similar/"):
            kind = "similar"
        elif path != "/api/movies/":
            kind = "movie"
        else:
            kind = "search" if "search=" in query else "browse"
        times.setdefault(kind, []).append(int(micros) / 1000)
    return times


def parse_wrk(out: str) -> dict:
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    non_2xx = int(m[1]) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    socket_errors = re.search(r"Socket errors: (.*)", out)
    errors = non_2xx + (sum(int(n) for n in re.findall(r"\d+", socket_errors[1])) if socket_errors else 0)

    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {"requests": int(re.search(r"(\d+) requests in", out)[1]), "errors": errors, "latency": latency,
            "p99": ms(latency["99"])}

if __name__ == "__main__":
    sys.exit(main())
