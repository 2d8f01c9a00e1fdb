"""The Celery application: workers import data dumps and train the models.

Every worker also sweeps, at start and then every JOB_SWEEP_SECONDS, for runs and jobs whose worker
died (recsite/recovery.py), so no separate beat process is needed. Workers run at a lower CPU priority
(WORKER_NICENESS) than the web processes: on a machine they share, a retrain must not slow the pages.
"""
import logging
import os
import threading

from celery import Celery
from celery.signals import worker_init, worker_ready, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recsite.settings")

app = Celery("recsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)
_stop_sweeping = threading.Event()


@worker_init.connect
def lower_priority(**kwargs) -> None:
    from django.conf import settings

    os.nice(settings.WORKER_NICENESS)  # inherited by the pool's processes


@worker_ready.connect
def start_sweeping(**kwargs) -> None:
    threading.Thread(target=_sweep_forever, name="recovery-sweep", daemon=True).start()


@worker_shutdown.connect
def stop_sweeping(**kwargs) -> None:
    _stop_sweeping.set()


def _sweep_forever() -> None:
    from django.conf import settings
    from django.db import close_old_connections, connection

    from recsite import recovery

    try:
        while True:
            try:
                recovery.sweep()
            except Exception:  # the database is down: try again next time
                logger.warning("recovery sweep failed", exc_info=True)
                close_old_connections()
            if _stop_sweeping.wait(settings.JOB_SWEEP_SECONDS):
                return
    finally:
        connection.close()
