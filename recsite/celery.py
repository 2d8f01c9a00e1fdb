"""The Celery application: workers import data dumps and train the models.

Every worker also sweeps, at start and then every JOB_SWEEP_SECONDS, for runs and jobs whose worker
died (work/sweeper.py), so no separate beat process is needed. Workers run at a lower CPU priority
(WORKER_NICENESS) than the web processes: on a machine they share, a retrain must not slow the pages.
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
    from django.conf import settings

    os.nice(settings.WORKER_NICENESS)  # inherited by the pool's processes
