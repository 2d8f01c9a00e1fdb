"""The thread of every Celery worker that runs the recovery sweep (work/recovery.py), at start and every
JOB_SWEEP_SECONDS: no separate beat process is needed, and any number of workers may sweep at once."""
import logging
import threading

from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import close_old_connections, connection

from work import recovery

logger = logging.getLogger(__name__)
_stop_sweeping = threading.Event()


@worker_ready.connect(dispatch_uid="work-start-sweeping")
def start_sweeping(**kwargs) -> None:
    threading.Thread(target=_sweep_forever, name="recovery-sweep", daemon=True).start()


@worker_shutdown.connect(dispatch_uid="work-stop-sweeping")
def stop_sweeping(**kwargs) -> None:
    _stop_sweeping.set()


def _sweep_forever() -> None:
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
