"""Mixed traffic against the site while a retrain runs: zero errors, p99 latency, web memory over time.

Open loop first (bench/open_loop.py, wrk2-style): requests leave on a fixed schedule whether or not earlier
ones answered, latency counted from when each was due. With a retrain running the whole time: --rate (100/s)
for --open-seconds, the bar (p99 ≤ 50 ms, no errors, web RSS flat); then a sweep of --sweep rates for
--step-seconds each, up to the first whose p99 passes 100 ms; then the worker is stopped and the sweep runs
again without a retrain. The closed-loop phases below (wrk) run only with --seconds.

Throwaway PostgreSQL and Redis (bench/harness.py) on loopback; MovieLens ml-latest-small from
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

    .venv/bin/python -m bench.load [--open-seconds 60] [--sweep 150,200,250,300,400] [--step-seconds 20]
                                   [--seconds 0] [--connections 32] [--rate 100] [--out bench/results/load.md]
"""
import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.harness import (
    ROOT,
    Postgres,
    Redis,
    answers,
    environment,
    free_port,
    manage,
    now,
    parse_wrk,
    teardown,
    wait_until,
    worker,
)
from bench.open_loop import Result, send
from bench.report import Report, machine

SHARED_RELEASE = ROOT.parent / "shared" / "data" / "ml-latest-small"
QUICK_TRAINING = {"max_epochs": 3}
USERS, RATINGS_EACH = 200, 20
P99_BAR_MS = 50
STAGE_POLL_SECONDS = 0.5
WINDOW_SECONDS = 5.0
SWAP_SECONDS = 6.0  # web processes notice a new active version within RECHECK_SECONDS (5 s), then load it
SWEEP_P99_MS = 100
WARM_RATE, WARM_SECONDS = 20, 10
WORKER_PRIORITY = ("WORKER_NICENESS", "WORKER_SCHED_IDLE")  # the worker's settings, from this environment
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
    parser.add_argument("--open-seconds", type=float, default=60, help="the open-loop phase at --rate (0: none)")
    parser.add_argument("--sweep", default="150,200,250,300,400",
                        help="open-loop rates (requests/s) tried in turn, with and without a retrain ('': none)")
    parser.add_argument("--step-seconds", type=float, default=20, help="seconds of each rate of the sweep")
    parser.add_argument("--seconds", type=int, default=0, help="seconds of each closed-loop wrk phase (0: none)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rate", type=float, default=100,
                        help="requests/s of the open-loop bar phase, and of wrk's paced phase (0: no paced phase)")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--out", type=Path, default=Path("bench/results/load.md"))
    args = parser.parse_args()
    load_before = os.getloadavg()[0]  # other work on the machine skews every figure: a quiet run starts near 0
    work = Path(tempfile.mkdtemp(prefix="recsite-load-"))
    postgres, redis = Postgres(), Redis()
    env = environment(postgres.url, redis.url(), work, CACHE_URL=redis.url(1), API_WRITE_RATE="1000000/minute",
                      LOG_LEVEL="WARNING")
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "CELERY_BROKER_URL", "DATA_DIR", "DEBUG",
                                                 "SECRET_KEY", "ALLOWED_HOSTS")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recsite.settings")
    processes, stop, results, open_results = [], threading.Event(), [], []
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
        from synthetic.movielens import generate_dataset

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
        warm = send(base, rate=WARM_RATE, seconds=WARM_SECONDS, tokens=tokens, movies=movie_ids)
        web_pids = children(web.pid)
        rss_start = rss_mb(web_pids)

        retrains, stages = [], []  # stages: (monotonic s, what the retrain was doing), every STAGE_POLL_SECONDS

        def keep_training():
            while not stop.is_set():
                run, _ = runs.start_run(ModelKind.RATINGS)
                retrains.append(run.pk)
                while not stop.wait(STAGE_POLL_SECONDS):
                    status, stage = TrainingRun.objects.values_list("status", "stage").get(pk=run.pk)
                    stages.append((time.monotonic(), stage_name(status, stage)))
                    if status in ("succeeded", "failed"):
                        break
            from django.db import connection

            connection.close()

        trainer = threading.Thread(target=keep_training)
        trainer.start()
        wait_until(lambda: TrainingRun.objects.filter(status="running").exists(), 120, "the retrain to start")
        rss = [(0.0, rss_start)]
        sampler = threading.Thread(target=sample_rss, args=(web_pids, rss, stop, time.monotonic()), daemon=True)
        sampler.start()
        rates = [float(rate) for rate in args.sweep.split(",") if rate.strip()]
        load_start = time.monotonic()
        if args.open_seconds:
            open_results.append(open_phase(base, args.rate, args.open_seconds, True, tokens, movie_ids, web_pids))
        open_results += sweep(base, rates, args.step_seconds, True, tokens, movie_ids, web_pids)
        phases = ([("closed", 0.0)] + ([("paced", args.connections / args.rate * 1000)] if args.rate else [])
                  if args.seconds else [])
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
        rss.append((time.monotonic() - load_start, rss_mb(web_pids)))
        still_training = TrainingRun.objects.filter(status="running").exists()
        stop.set()
        trainer.join()
        statuses = dict(TrainingRun.objects.filter(pk__in=retrains).values_list("pk", "status"))
        if rates:  # the same sweep without a retrain: the worker is stopped (its run is left unfinished)
            processes[0].kill()
            processes[0].wait()
            time.sleep(5)
            open_results += sweep(base, rates, args.step_seconds, False, tokens, movie_ids, web_pids)
        alive = web.poll() is None and all(Path(f"/proc/{pid}").exists() for pid in web_pids)
    finally:
        stop.set()
        teardown(processes, [postgres, redis], work)

    print(f"warm-up: {len(warm.all_latencies())} answers, {sum(warm.errors.values())} errors")
    report = Report()
    report("# Load: mixed traffic while a retrain runs")
    report()
    report(f"- Date: {now()}")
    report(f"- Machine: {machine()}; load average (1 min) before the bench started: {load_before:.2f}")
    options = (f" --open-seconds {args.open_seconds:g}" if args.open_seconds != 60 else "") + (
        f" --sweep {args.sweep}" if args.sweep != "150,200,250,300,400" else "") + (
        f" --seconds {args.seconds}" if args.seconds else "") + (
        f" --connections {args.connections}" if args.connections != 32 else "") + (
        f" --rate {args.rate:g}" if args.rate != 100 else "")
    overrides = "".join(f"{name}={os.environ[name]} " for name in WORKER_PRIORITY if name in os.environ)
    priority = " and ".join(f"{name}={os.environ[name]}" if name in os.environ else f"the default {name}"
                            for name in WORKER_PRIORITY)
    report(f"- Command: `{overrides}.venv/bin/python -m bench.load{options}`")
    report(f"- Site: gunicorn, {args.web_workers} processes × {args.web_threads} threads, production settings "
           "(Redis as the shared cache), throwaway PostgreSQL 15 and Redis on loopback; one Celery worker (solo, at "
           f"{priority}) retraining the ratings model with the product's "
           "parameters the whole time (a new run whenever one ended)")
    report(f"- Data: {source.name}, plus {USERS} active users with {RATINGS_EACH} ratings each and API tokens")
    report("- Open loop (bench/open_loop.py): requests on a fixed schedule (request i due at start + i ÷ rate), "
           "each on an idle keep-alive connection or a new one, latency from when it was due; same mix")
    if args.seconds:
        report(f"- Closed loop: wrk, {args.connections} connections, bench/load.lua (the same mix); first as fast as "
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
    if open_results:
        report_open_loop(report, open_results)
        report_slow_by_stage(report, open_results[0], stages)
    if rows:
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
    errors = sum(measured["errors"] for _, measured in verdicts) + sum(sum(phase.result.errors.values())
                                                                       for phase in open_results)
    report(f"**Errors: {'PASS' if errors == 0 else 'FAIL'}** (bar: none).")
    for label, measured in verdicts:
        report(f"**p99, {label}: {'PASS' if measured['p99'] <= P99_BAR_MS else 'FAIL'}** ({measured['p99']:.1f} ms; "
               f"bar of the website issue: ≤ {P99_BAR_MS:g} ms, there at 16 connections without a retrain).")
    report.write(args.out)
    return 0 if errors == 0 else 1


@dataclass
class OpenPhase:
    """One open-loop schedule and the web processes' RSS around it."""

    label: str
    training: bool
    result: Result
    rss_mb: list[float]

    def p99(self) -> float:
        return float(np.percentile(self.result.all_latencies(), 99))


def open_phase(base, rate, seconds, training, tokens, movies, web_pids, label="bar") -> OpenPhase:
    """`rate` requests/s for `seconds` on schedule, RSS sampled every 10 s."""
    rss, done = [rss_mb(web_pids)], threading.Event()

    def sample():
        while not done.wait(10):
            rss.append(rss_mb(web_pids))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result = send(base, rate=rate, seconds=seconds, tokens=tokens, movies=movies)
    done.set()
    sampler.join()
    rss.append(rss_mb(web_pids))
    return OpenPhase(label, training, result, rss)


def sweep(base, rates, seconds, training, tokens, movies, web_pids) -> list[OpenPhase]:
    """Each rate in turn, until the first whose p99 is over SWEEP_P99_MS."""
    phases = []
    for rate in rates:
        phases.append(open_phase(base, rate, seconds, training, tokens, movies, web_pids, label="sweep"))
        if phases[-1].p99() > SWEEP_P99_MS:
            break
    return phases


def report_open_loop(report: Report, phases: list[OpenPhase]) -> None:
    rows = []
    for phase in phases:
        latencies, result = phase.result.all_latencies(), phase.result
        p = {q: np.percentile(latencies, q) for q in (50, 90, 99)}
        rows.append([phase.label, "yes" if phase.training else "no", f"{result.rate:g}/s for {result.seconds:g} s",
                     f"{len(latencies):,}", f"**{sum(result.errors.values())}**",
                     f"{p[50]:.1f} / {p[90]:.1f} / {p[99]:.1f} / {max(latencies):.1f}",
                     f"{np.percentile(result.late_ms, 99):.1f}", str(result.connections),
                     " → ".join(f"{mb:.0f}" for mb in phase.rss_mb)])
    report("## Open loop")
    report()
    report.table(["phase", "retrain", "schedule", "answered", "errors", "latency ms p50 / p90 / p99 / max",
                  "sender late p99 ms", "connections", "web RSS MB (every 10 s)"], rows)
    bar = next((phase for phase in phases if phase.label == "bar"), None)
    if bar is not None:
        report(f"Latency by kind of request at {bar.result.rate:g}/s with the retrain (ms, from when due):")
        report()
        report.table(["request", "count", "errors", "p50", "p90", "p99"],
                     [[kind, len(times), bar.result.errors.get(kind, 0),
                       *(f"{np.percentile(times, q):.1f}" for q in (50, 90, 99))]
                      for kind, times in sorted(bar.result.latencies.items())])
        if bar.result.statuses:
            report("Error answers by HTTP status: " + ", ".join(
                f"{status}: {count}" for status, count in sorted(bar.result.statuses.items())) + ".")
            report()
        errors, rss = sum(bar.result.errors.values()), bar.rss_mb
        flat = max(rss[1:], default=rss[0]) <= rss[1 if len(rss) > 1 else 0] * 1.05
        report(f"**Open loop at {bar.result.rate:g}/s with a retrain: p99 {bar.p99():.1f} ms "
               f"({'PASS' if bar.p99() <= P99_BAR_MS else 'FAIL'}, bar ≤ {P99_BAR_MS} ms), errors {errors} "
               f"({'PASS' if not errors else 'FAIL'}), web RSS {rss[0]:.0f} → {rss[-1]:.0f} MB "
               f"({'PASS' if flat else 'FAIL'}: flat, within 5% of its first sample in the phase)**.")
        report()
    for training in (True, False):
        tried = [phase for phase in phases if phase.training == training and phase.label == "sweep"]
        if training and bar is not None:
            tried = [bar, *tried]
        good = [phase.result.rate for phase in tried if phase.p99() <= SWEEP_P99_MS and not phase.result.errors]
        if tried:
            report(f"**Highest rate with p99 ≤ {SWEEP_P99_MS} ms {'with' if training else 'without'} a retrain: "
                   f"{f'{max(good):g}/s' if good else 'none of those tried'}** (tried "
                   f"{', '.join(f'{phase.result.rate:g}' for phase in tried)}).")
    report()


def stage_name(status: str, stage: str) -> str:
    """A run's stage without its numbers ("epoch 3/12, about 1 min left" → "epoch"): stages to group by."""
    if status != "running":
        return f"run {status}"
    return re.split(r"[\d:(,]", stage, maxsplit=1)[0].strip() or "starting"


def report_slow_by_stage(report: Report, phase: OpenPhase, stages: list[tuple[float, str]]) -> None:
    """Where the slow requests of a phase fall in the retrain: each stage's share of the phase's requests and of
    its requests over the bar, by the stage polled last before each request was due."""
    if not stages or not phase.result.timeline:
        return
    times, names = np.array([t for t, _ in stages]), [name for _, name in stages]
    activated = np.array([t for t, name in stages if name == "run succeeded"])
    counts: dict[str, list[int]] = {}
    for due, latency in phase.result.timeline:
        at, last = np.searchsorted(times, due) - 1, np.searchsorted(activated, due) - 1
        if last >= 0 and due - activated[last] < SWAP_SECONDS:
            name = f"the {SWAP_SECONDS:g} s after a version was activated (web processes load it)"
        else:
            name = names[at] if at >= 0 else "before the first poll"
        tally = counts.setdefault(name, [0, 0])
        tally[0] += 1
        tally[1] += latency > P99_BAR_MS
    total, slow = len(phase.result.timeline), sum(tally[1] for tally in counts.values()) or 1
    report(f"Requests over {P99_BAR_MS} ms by what the retrain was doing when they were due ({phase.label} phase, "
           f"stages polled every {STAGE_POLL_SECONDS:g} s):")
    report()
    report.table(["retrain stage", "requests", "share of requests", f"over {P99_BAR_MS} ms", "share of those"],
                 [[name, n, f"{n / total:.0%}", k, f"{k / slow:.0%}"]
                  for name, (n, k) in sorted(counts.items(), key=lambda item: -item[1][1])])
    start = min(due for due, _ in phase.result.timeline)
    windows: dict[int, list[float]] = {}
    for due, latency in phase.result.timeline:
        windows.setdefault(int((due - start) // WINDOW_SECONDS), []).append(latency)
    report(f"The same phase in windows of {WINDOW_SECONDS:g} s: requests over {P99_BAR_MS} ms, and the p99 (ms), "
           "with the retrain's stage at the window's start:")
    report()
    report.table(["from s", "requests", f"over {P99_BAR_MS} ms", "p99 ms", "retrain stage"],
                 [[f"{window * WINDOW_SECONDS:g}", len(values), sum(v > P99_BAR_MS for v in values),
                   f"{np.percentile(values, 99):.0f}", stage_at(stages, start + window * WINDOW_SECONDS)]
                  for window, values in sorted(windows.items())])


def stage_at(stages: list[tuple[float, str]], when: float) -> str:
    """The stage polled last before ``when``."""
    before = [name for polled, name in stages if polled <= when]
    return before[-1] if before else "before the first poll"


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


if __name__ == "__main__":
    sys.exit(main())
