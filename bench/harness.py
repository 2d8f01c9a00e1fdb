"""What the bench scripts share: throwaway servers, the site and workers pointed at them, wrk's output, teardown.

A PostgreSQL cluster and a Redis server of their own, on free ports under a temporary folder, which the scripts
stop and start at will (the machine's shared servers are never touched); the site (gunicorn) and Celery workers
pointed at them; wrk's summary as numbers; and stopping all of it, whatever state a failed run left it in.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what} after {timeout} s")
        time.sleep(0.1)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


class Postgres:
    """`initdb` + `pg_ctl` in a temporary folder. As root, the server runs as the postgres user."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="recsite-fault-pg-"))
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/recsite"
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.dir, "postgres")
        self._run("initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "recsite")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self._as, str(PG_BIN / tool), *args], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w", "start", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """A redis-server of our own, no persistence."""

    def __init__(self):
        self.port = free_port()
        self.process = None
        self.start()

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no"], stdout=subprocess.DEVNULL)
        wait_until(lambda: answers(self.port), 10, "redis")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def remove(self) -> None:
        if self.process.poll() is None:
            self.kill()


def environment(database_url: str, broker_url: str, data_dir: Path, **extra) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": broker_url, "DATA_DIR": str(data_dir),
            "DEBUG": "false", "SECRET_KEY": "fault-scripts-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false", "OPENBLAS_NUM_THREADS": "1", **extra}


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def site(env: dict, log: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn on a free port: (process, base URL)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "recsite.wsgi", "--bind", f"127.0.0.1:{port}",
                                "--workers", "1", "--threads", "4"], cwd=ROOT, env=env, stdout=open(log, "a"),
                               stderr=subprocess.STDOUT)
    wait_until(lambda: answers(port), 60, "gunicorn")
    return process, f"http://127.0.0.1:{port}"


def worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "recsite", "worker", "--pool=solo",
                             "--loglevel=INFO", "--without-gossip", "--without-mingle"],
                            cwd=ROOT, env=env, stdout=open(log, "a"), stderr=subprocess.STDOUT)


def parse_wrk(text: str) -> dict:
    """wrk's summary (with --latency): requests, requests/s, p50/p90/p99 in ms, and errors (non-2xx or 3xx
    answers and socket errors)."""
    def ms(value: str) -> float:
        number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
        return float(number) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", text, re.M))
    socket_errors = re.search(r"Socket errors: (.*)", text)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = (sum(int(n) for n in re.findall(r"\d+", socket_errors[1])) if socket_errors else 0) + (
        int(non_2xx[1]) if non_2xx else 0)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    return {"requests": int(re.search(r"(\d+) requests in", text)[1]), "rps": float(rps[1]) if rps else 0.0,
            "latency": latency, "p50": ms(latency["50"]), "p90": ms(latency["90"]), "p99": ms(latency["99"]),
            "errors": errors}


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM, then SIGKILL if it has not ended within `timeout` s (a worker's warm shutdown waits for its task)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def teardown(processes=(), services=(), folder: Path | None = None) -> None:
    """Stop the processes, close Django's connections (if it was set up), remove the throwaway servers and the
    folder."""
    for process in processes:
        stop(process)
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # Django never got set up
        pass
    for service in services:
        service.remove()
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
