"""Benchmark of the website under load: the movie page and the picks page against a trivial Django view.

    .venv/bin/python -m bench.web [--rounds N] [--duration SECONDS] [--connections N] [--fresh] [--out FILE]

In one run, on this machine, over loopback:

1. a scratch PostgreSQL database (``bench_web``) with ml-latest-small imported (``--source``, default
   ../shared/data/ml-latest-small), the demo accounts, and a collaborative-filtering model trained here (3
   epochs, default dimensions: the bars are about serving, not model quality) and activated; kept between runs
   and reused unless ``--fresh``;
2. a Redis server of its own as the shared cache (``CACHE_URL``), as in production (docker-compose.yml): sessions
   and whole pages are read from it (web/page_cache.py);
3. gunicorn (``--workers``, default 2 × cores, sync workers, DEBUG off, one BLAS thread each) serving the site
   with bench/web_settings.py, which adds ``/bench/trivial/`` (a view that returns "ok" through the same
   middleware);
4. wrk (Debian's ``wrk``; installed with apt-get if missing) with ``--connections`` (default 16) open
   connections, signed in as the demo user with the cookies a browser holds (the session and the CSRF cookie)
   and the Accept-Encoding it sends (pages come gzipped, as to a browser), after a warm-up: ``--rounds``
   (default 3) rounds of ``--duration`` seconds (default 10) each on the trivial view, a movie page (wrk cycles
   through 200 of the most rated movies) and the picks page, so that each page is compared with the trivial view
   of its own round on this noisy machine;
5. for comparison, not judged: the same two pages with the page cache off (``PAGE_CACHE_SECONDS=0``), i.e. what
   a page costs when it is rendered (a first view, or the first after a rating), and the browse page's ranked
   search (movies/search.py) cycling through SEARCHES (exact titles, typos, partial titles, a year).

Bars (issue 5), on the medians over the rounds: movie page and picks page each p99 ≤ 50 ms, throughput ≥ 50% of
the trivial view's, zero errors (non-2xx responses or socket errors). Prints the results and writes them as
Markdown (default bench/results/web.md) with the machine, the date and the load average.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench.harness import ROOT as REPO
from bench.harness import Redis, parse_wrk, stop
from bench.report import machine

PYTHON = str(REPO / ".venv" / "bin" / "python")
RESULTS = REPO / "bench" / "results" / "web.md"
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = "bench_web"
P99_BAR_MS, THROUGHPUT_BAR = 50.0, 0.5
PORT = 8811
BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd"  # what Chromium sends: pages come gzipped (web/page_cache.py)

SETUP = r"""
import sys
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from ml.training import trainers
from ml.models import ModelVersion, TrainingRun
from movies.models import Movie

source, epochs = sys.argv[1], int(sys.argv[2])
call_command("migrate", verbosity=0)
call_command("setup_demo", source, verbosity=0)
if not ModelVersion.objects.filter(kind="ratings", is_active=True).exists():
    run = TrainingRun.objects.create(kind="ratings", parameters={"max_epochs": epochs})
    run = trainers.execute_run(run.pk)
    assert run.status == "succeeded", run.error
demo = get_user_model().objects.get(username="demo")
session = SessionStore()
session.update({SESSION_KEY: str(demo.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: demo.get_session_auth_hash()})
session.create()
print("SESSION", session.session_key)
print("MOVIES", " ".join(str(pk) for pk in Movie.objects.order_by("-num_ratings", "id")
                         .values_list("pk", flat=True)[:200]))
"""

# wrk script: cycles through the movie ids given in MOVIE_IDS (space-separated) for the movie page.
MOVIE_LUA = """
local ids = {}
for id in string.gmatch(os.getenv("MOVIE_IDS"), "%d+") do table.insert(ids, id) end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/movies/" .. ids[(n % #ids) + 1] .. "/")
end
"""

# What people type: the search page cycles through these (URL-encoded by the script).
SEARCHES = ["godfather", "matrx", "amelie", "alien 1979", "shawshenk", "star wars", "lord of the rigns",
            "pulp fict", "toy story 3", "dark night", "forest gump", "harry potter", "the thing 1982", "love"]
SEARCH_LUA = """
local queries = {}
for q in string.gmatch(os.getenv("SEARCHES"), "[^|]+") do table.insert(queries, q) end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/movies/?q=" .. queries[(n % #queries) + 1])
end
"""


def sh(*command, env=None, check=True, capture=False):
    return subprocess.run(command, env=env, check=check, text=True, capture_output=capture, cwd=REPO)


def ensure_wrk() -> str:
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk")
        sh("apt-get", "install", "-y", "-q", "wrk")
    return shutil.which("wrk")


def prepare_database(source: str, epochs: int, fresh: bool, env: dict) -> tuple[str, list[str]]:
    import psycopg2

    admin = psycopg2.connect(f"{POSTGRES}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        if fresh:
            cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {DATABASE}")
    admin.close()
    started = time.monotonic()
    out = sh(PYTHON, "-c", SETUP, source, str(epochs), env=env, capture=True).stdout
    print(f"database ready in {time.monotonic() - started:.0f} s")
    session = re.search(r"^SESSION (\S+)", out, re.M).group(1)
    movies = re.search(r"^MOVIES (.*)$", out, re.M).group(1).split()
    return session, movies


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer at {url}")


def browser_cookies(base: str, path: str, session: str) -> str:
    """The Cookie header of a browser signed in as the demo user: his session, and the CSRF cookie that the
    first page he saw set. Also checks that the page answers 200 to it (not a redirect to the login page,
    which wrk would count as a success)."""
    import http.client
    from http.cookies import SimpleCookie
    from urllib.parse import urlparse

    url = urlparse(base)
    cookies = f"sessionid={session}"
    for _ in range(2):  # the second time with the CSRF cookie of the first answer
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        connection.request("GET", path, headers={"Cookie": cookies})
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            raise SystemExit(f"GET {path} answered {response.status}, not 200: the bench would measure the wrong "
                             "page")
        csrf = SimpleCookie(response.getheader("Set-Cookie") or "").get("csrftoken")
        if csrf is not None and "csrftoken" not in cookies:
            cookies += f"; csrftoken={csrf.value}"
    return cookies


def load(wrk: str, url: str, *, connections: int, duration: int, cookies: str, script: str | None,
         env: dict) -> dict:
    command = [wrk, "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency", "--timeout", "5s",
               "-H", f"Cookie: {cookies}", "-H", f"Accept-Encoding: {BROWSER_ACCEPT_ENCODING}"]
    if script:
        command += ["-s", script]
    result = subprocess.run([*command, url], text=True, capture_output=True, env=env, check=True)
    return parse_wrk(result.stdout)


def serve(env: dict, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "gunicorn"), "recsite.wsgi", "--bind", f"127.0.0.1:{PORT}",
         "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning"], cwd=REPO, env=env)
    wait_until_up(f"http://127.0.0.1:{PORT}/bench/trivial/")
    return server


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=str(REPO.parent / "shared" / "data" / "ml-latest-small"))
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the trivial view and both pages (default 3)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page and round (default 10)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--epochs", type=int, default=3, help="training epochs of the CF model (default 3)")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the scratch database")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    wrk = ensure_wrk()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-web-"))
    redis = Redis()
    env = {**os.environ, "DATABASE_URL": f"{POSTGRES}/{DATABASE}", "CACHE_URL": redis.url(1), "DEBUG": "false",
           "SECRET_KEY": "bench-only", "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "false",
           "DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "bench.web_settings", "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1", "LOG_LEVEL": "WARNING", "PYTHONPATH": str(REPO)}
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(MOVIE_LUA)
    search_script = Path(tempfile.mkstemp(suffix=".lua")[1])
    search_script.write_text(SEARCH_LUA)
    rounds, not_cached, load_averages = [], {}, []
    try:
        session, movies = prepare_database(args.source, args.epochs, args.fresh, env)
        base = f"http://127.0.0.1:{PORT}"
        wrk_env = {**os.environ, "MOVIE_IDS": " ".join(movies),
                   "SEARCHES": "|".join(urllib.parse.quote_plus(q) for q in SEARCHES)}
        pages = [("movie page", f"{base}/", str(script)), ("picks page", f"{base}/picks/", None)]
        targets = [("trivial view", f"{base}/bench/trivial/", None), *pages]

        def measure(name, url, lua, results, duration=args.duration):
            r = results[name] = load(wrk, url, connections=args.connections, duration=duration, cookies=cookies,
                                     script=lua, env=wrk_env)
            load_averages.append(os.getloadavg()[0])
            print(f"{name:13} {r['rps']:8.1f} req/s  p50 {r['p50']:6.1f} ms  p90 {r['p90']:6.1f} ms  "
                  f"p99 {r['p99']:6.1f} ms  errors {r['errors']}", flush=True)

        server = serve(env, args.workers)
        try:
            cookies = browser_cookies(base, "/picks/", session)
            for path in ("/bench/trivial/", f"/movies/{movies[0]}/"):
                browser_cookies(base, path, session)
            for _name, url, lua in targets:  # warm-up: every worker loads the model and fills its caches
                load(wrk, url, connections=args.connections, duration=3, cookies=cookies, script=lua, env=wrk_env)
            for n in range(args.rounds):
                print(f"round {n + 1}")
                rounds.append({})
                for name, url, lua in targets:
                    measure(name, url, lua, rounds[-1])
        finally:
            stop(server)
        print("with the page cache off")
        server = serve({**env, "PAGE_CACHE_SECONDS": "0"}, args.workers)
        try:
            for name, url, lua in [*pages, ("search page", f"{base}/", str(search_script))]:
                load(wrk, url, connections=args.connections, duration=3, cookies=cookies, script=lua, env=wrk_env)
                measure(name, url, lua, not_cached)
        finally:
            stop(server)
    finally:
        redis.remove()
        script.unlink(missing_ok=True)
        search_script.unlink(missing_ok=True)
        shutil.rmtree(data_dir, ignore_errors=True)
    write_report(args, rounds, not_cached, load_averages)


def write_report(args, rounds: list[dict], not_cached: dict, load_averages: list[float]) -> None:
    def row(name, r, trivial):
        return (f"| {name} | {r['rps']:.1f} | {r['rps'] / trivial:.0%} | {r['p50']:.1f} | {r['p90']:.1f} "
                f"| {r['p99']:.1f} | {r['errors']} |")

    header = ["| page | requests/s | % of trivial | p50 ms | p90 ms | p99 ms | errors |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    lines = [
        "# Website under load (bench/web.py)", "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}; 1-minute load average after each measurement: "
        f"{', '.join(f'{value:.1f}' for value in load_averages)}",
        f"- Data: ml-latest-small, collaborative-filtering model trained {args.epochs} epochs; signed in as demo "
        f"(session and CSRF cookies), Accept-Encoding: {BROWSER_ACCEPT_ENCODING} (as Chromium sends)",
        f"- Server: gunicorn, {args.workers} sync workers, DEBUG off, PostgreSQL and Redis (the cache) on loopback",
        f"- Load: wrk, {args.connections} connections; {args.rounds} rounds of the trivial view, the movie page "
        f"(200 movies in turn) and the picks page, {args.duration} s each, after a 3 s warm-up", "",
    ]
    for n, results in enumerate(rounds, start=1):
        trivial = results["trivial view"]["rps"]
        lines += [f"## Round {n}", "", *header, *(row(name, r, trivial) for name, r in results.items()), ""]
    lines += ["## With the page cache off (for comparison: every request rendered)", "", *header]
    trivial = statistics.median(results["trivial view"]["rps"] for results in rounds)
    lines += [row(name, r, trivial) for name, r in not_cached.items()]
    lines += ["", "(% of the median trivial view's rate)", "", "## Against the bars", "",
              "Medians over the rounds (each page against the trivial view of its own round); errors summed.", "",
              "| page | requests/s, % of trivial | p99 ms | errors | bars |", "|---|---:|---:|---:|---|"]
    verdicts = []
    for name in ("movie page", "picks page"):
        share = statistics.median(results[name]["rps"] / results["trivial view"]["rps"] for results in rounds)
        p99 = statistics.median(results[name]["p99"] for results in rounds)
        errors = sum(results[name]["errors"] + results["trivial view"]["errors"] for results in rounds)
        failures = [reason for reason, bad in [(f"p99 > {P99_BAR_MS:g} ms", p99 > P99_BAR_MS),
                                               (f"throughput < {THROUGHPUT_BAR:.0%}", share < THROUGHPUT_BAR),
                                               ("errors", errors > 0)] if bad]
        verdicts.append(not failures)
        lines.append(f"| {name} | {share:.0%} | {p99:.1f} | {errors} | "
                     f"{'**pass**' if not failures else '**FAIL**: ' + ', '.join(failures)} |")
    lines += ["", f"Bars: p99 ≤ {P99_BAR_MS:g} ms, throughput ≥ {THROUGHPUT_BAR:.0%} of the trivial view's, "
              "no errors. " + ("All met." if all(verdicts) else "Not all met (see above).")]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"written to {args.out}")

if __name__ == "__main__":
    sys.exit(main())
