"""PostgreSQL restarted while the site runs: requests fail cleanly (503, no traceback) during the outage
and succeed again after it, served by the same web process.

A throwaway cluster (bench/harness.py) is migrated, the site starts under gunicorn on it, and
three pollers fetch /, /api/movies/ and /healthz without pause while the cluster runs, is stopped
(`pg_ctl stop -m fast`, which ends every connection) for --outage seconds, and is started again.

    .venv/bin/python -m bench.faults.postgres_restart [--outage 10] [--out bench/results/faults_postgres_restart.md]
"""
import argparse
import collections
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench.harness import Postgres, Redis, environment, manage, now, site
from bench.report import Report, machine

PATHS = ["/", "/api/movies/", "/healthz"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", type=float, default=10.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--out", type=Path, default=Path("bench/results/faults_postgres_restart.md"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="recsite-fault-"))
    postgres, redis = Postgres(), Redis()
    web = None
    try:
        env = environment(postgres.url, redis.url(), work)
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "shell", "-c", "from movies.models import Movie; Movie.objects.create(title='Metropolis')")
        web, base = site(env, work / "site.log")
        samples, phase, stop = [], ["before"], threading.Event()

        def poll(path):
            while not stop.is_set():
                try:
                    response = requests.get(base + path, timeout=15)
                    status, trace = response.status_code, "Traceback" in response.text
                except requests.RequestException as error:
                    status, trace = type(error).__name__, False
                samples.append((phase[0], time.monotonic(), path, status, trace))
                time.sleep(0.05)

        pollers = [threading.Thread(target=poll, args=(path,)) for path in PATHS]
        for poller in pollers:
            poller.start()
        time.sleep(5)
        phase[0] = "outage"
        postgres.stop()
        stopped = time.monotonic()
        time.sleep(args.outage)
        phase[0] = "after"
        postgres.start()
        started = time.monotonic()
        time.sleep(8)
        stop.set()
        for poller in pollers:
            poller.join()
        alive = web.poll() is None
    finally:
        if web is not None:
            web.terminate()
        postgres.remove()
        redis.remove()
        shutil.rmtree(work, ignore_errors=True)

    report = Report()
    report("# Fault: PostgreSQL restarted while the site runs")
    report()
    report(f"- Date: {now()}")
    report(f"- Machine: {machine()}")
    report("- Command: `.venv/bin/python -m bench.faults.postgres_restart`"
           + (f" `--outage {args.outage:g}`" if args.outage != 10 else ""))
    report(f"- Site: gunicorn, 1 process, 4 threads, production settings (DEBUG off, CONN_HEALTH_CHECKS); "
           f"a throwaway PostgreSQL 15 cluster, stopped with `pg_ctl stop -m fast` for {args.outage:g} s")
    report("- Three pollers, one per path, each request after the previous answer (+50 ms)")
    report()
    rows = []
    for name in ("before", "outage", "after"):
        for path in PATHS:
            statuses = collections.Counter(str(s[3]) for s in samples if s[0] == name and s[2] == path)
            rows.append([name, f"`{path}`", ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))])
    report.table(["phase", "path", "answers (status: count)"], rows)
    first_ok = {path: min((s[1] for s in samples if s[2] == path and s[1] > started and s[3] == 200), default=None)
                for path in PATHS}
    failures = [s for s in samples if s[3] == 500 or s[4] or not isinstance(s[3], int)]
    outage_ok = all(s[3] == 503 for s in samples if s[0] == "outage" and s[1] > stopped + 1)
    recovered = all(t is not None for t in first_ok.values())
    report(f"- Answers that were a 500, held a traceback or were no answer at all: **{len(failures)}**")
    report(f"- Every answer from 1 s into the outage was a 503: **{'yes' if outage_ok else 'no'}**")
    report("- First 200 after PostgreSQL was started again: " + ", ".join(
        f"`{path}` {t - started:.2f} s" if t else f"`{path}` never" for path, t in first_ok.items()))
    report(f"- The same web process served throughout (not restarted): **{'yes' if alive else 'no'}**")
    verdict = not failures and outage_ok and recovered and alive
    report()
    report(f"**Result: {'PASS' if verdict else 'FAIL'}**")
    report.write(args.out)
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
