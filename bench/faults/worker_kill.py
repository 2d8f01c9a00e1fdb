"""A Celery worker killed with SIGKILL mid-training and mid-import, with the production defaults of
the recovery settings (heartbeat 10 s, stale after 40 s, sweep every 15 s): how long until the run or
job says failed, what is served meanwhile, and whether doing it again completes.

Throwaway PostgreSQL and Redis (bench/harness.py); a generated MovieLens release; one worker
(solo pool, as in docker-compose.yml), killed, then a fresh one started as a supervisor would.

    .venv/bin/python -m bench.faults.worker_kill [--out bench/results/faults_worker_kill.md]
"""
import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import Postgres, Redis, environment, manage, now, teardown, worker
from bench.report import Report, machine

ENDLESS = {"dimensions": 16, "rank_dimensions": 16, "batch_size": 64, "max_epochs": 10_000, "patience": 10_000}
SMALL = {"dimensions": 16, "rank_dimensions": 16, "max_epochs": 3}


def wait(predicate, timeout: float) -> float:
    """Seconds until predicate() held; raises after timeout."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise RuntimeError("timed out")
        time.sleep(0.1)
    return time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench/results/faults_worker_kill.md"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="recsite-fault-"))
    postgres, redis = Postgres(), Redis()
    env = environment(postgres.url, redis.url(), work)
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "CELERY_BROKER_URL", "DATA_DIR", "DEBUG",
                                                 "SECRET_KEY", "ALLOWED_HOSTS")})
    workers = []
    report = Report()
    try:
        manage(env, "migrate", "--no-input", "-v0")
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recsite.settings")

        django.setup()
        from ml import runs, versions
        from ml.models import ModelKind, ModelVersion, TrainingRun
        from movies import jobs
        from movies.importers.movielens import import_movielens
        from movies.models import ImportJob, Rating
        from synthetic.movielens import generate_dataset

        small = generate_dataset(work / "ml-small", n_users=300, n_movies=400, ratings_per_user=40, name="ml-small")
        import_movielens(str(small.path))

        def start_worker():
            workers.append(worker(env, work / "worker.log"))
            return workers[-1]

        def kill(process) -> float:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return time.monotonic()

        def status(model, pk):
            return model.objects.values_list("status", flat=True).get(pk=pk)

        first = start_worker()
        good, _ = runs.start_run(ModelKind.RATINGS, parameters=SMALL)
        wait(lambda: status(TrainingRun, good.pk) in ("succeeded", "failed"), 300)
        served = versions.active_version(ModelKind.RATINGS)
        assert served is not None, TrainingRun.objects.get(pk=good.pk).error

        endless, _ = runs.start_run(ModelKind.RATINGS, parameters=ENDLESS)
        wait(lambda: TrainingRun.objects.get(pk=endless.pk).epochs, 300)
        died = kill(first)
        start_worker()
        wait(lambda: status(TrainingRun, endless.pk) == "failed", 180)
        training_seconds = time.monotonic() - died
        still_served = versions.active_version(ModelKind.RATINGS) == served
        no_new_version = ModelVersion.objects.count() == 1
        again, _ = runs.start_run(ModelKind.RATINGS, parameters=SMALL)
        wait(lambda: status(TrainingRun, again.pk) in ("succeeded", "failed"), 300)
        retrain_ok = status(TrainingRun, again.pk) == "succeeded"

        big = generate_dataset(work / "ml-big", n_users=6000, n_movies=2000, ratings_per_user=150, name="ml-big",
                               seed=2)
        before = Rating.objects.count()
        job = jobs.queue_import(source=str(big.path))
        wait(lambda: ImportJob.objects.get(pk=job.pk).stage == "loading ratings", 300)
        died = kill(workers[-1])
        start_worker()
        wait(lambda: status(ImportJob, job.pk) == "failed", 180)
        import_failed = time.monotonic() - died
        unchanged = Rating.objects.count() == before
        rerun = jobs.queue_import(source=str(big.path))
        wait(lambda: ImportJob.objects.get(pk=rerun.pk).is_finished, 600)
        import_ok = status(ImportJob, rerun.pk) == "succeeded" and Rating.objects.count() == before + big.n_ratings

        report("# Fault: a worker killed with SIGKILL mid-training and mid-import")
        report()
        report(f"- Date: {now()}")
        report(f"- Machine: {machine()}")
        report("- Command: `.venv/bin/python -m bench.faults.worker_kill`")
        report("- Recovery settings: the defaults, JOB_HEARTBEAT_SECONDS=10, JOB_STALE_SECONDS=40, "
               "JOB_SWEEP_SECONDS=15; Celery acks late, no redelivery on a lost worker")
        report(f"- Data: a generated release of {small.n_ratings:,} ratings; the import killed is one of "
               f"{big.n_ratings:,} ratings, killed while loading them")
        report("- After each kill a fresh worker is started at once, as a supervisor (docker-compose `restart`) would")
        report()
        report.table(["check", "result"], [
            ["training: seconds from SIGKILL until the run said failed", f"{training_seconds:.1f}"],
            ["training: the version active before still served, no new version written",
             "yes" if still_served and no_new_version else "**no**"],
            ["training: a new retrain right after succeeded", "yes" if retrain_ok else "**no**"],
            ["import: seconds from SIGKILL until the job said failed", f"{import_failed:.1f}"],
            ["import: ratings in the database as before the import", "yes" if unchanged else "**no**"],
            ["import: running it again completed it", "yes" if import_ok else "**no**"],
        ])
        verdict = (training_seconds < 60 and import_failed < 60 and still_served and no_new_version and retrain_ok
                   and unchanged and import_ok)
        report(f"**Result: {'PASS' if verdict else 'FAIL'}** (bar: failed within 60 s, nothing half-written served)")
        report.write(args.out)
        return 0 if verdict else 1
    finally:
        teardown(workers, [postgres, redis], work)


if __name__ == "__main__":
    sys.exit(main())
