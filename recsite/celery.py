"""The Celery application: workers import data dumps and train the models.

Every worker also sweeps, at start and then every JOB_SWEEP_SECONDS, for runs and jobs whose worker
died (work/sweeper.py), so no separate beat process is needed. Workers run at a lower CPU priority
(WORKER_NICENESS, WORKER_SCHED_IDLE) than the web processes: on a machine they share, a retrain must not slow the
pages.
"""
import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recsite.settings")

app = Celery("recsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def lower_priority(**kwargs) -> None:
    """Nice the worker; on Linux also put it in the SCHED_IDLE class (WORKER_SCHED_IDLE), where it runs only on
    CPU time nothing else wants: with a nice of 19 alone the site's p99 under a retrain was 1.6× as long
    (bench/results/load_without_sched_idle.md against load.md).
    Both are inherited by the threads and processes the worker starts from here (TensorFlow's, the pool's)."""
    from django.conf import settings

    os.nice(settings.WORKER_NICENESS)
    if settings.WORKER_SCHED_IDLE and hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
