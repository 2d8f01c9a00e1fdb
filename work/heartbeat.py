"""A job's heartbeat: a thread stamps its row while a worker works on it, so the sweep can tell it from a dead one."""
import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)


@contextmanager
def heartbeat(model, pk: int):
    """Stamp `heartbeat_at` of row `pk` of `model` every JOB_HEARTBEAT_SECONDS while the block runs,
    and clear it after: a row with no stamp (a fanned-out job waiting for its next task) is never swept."""
    stop = threading.Event()
    beat = threading.Thread(target=_beat, args=(model, pk, stop), name=f"heartbeat-{model.__name__}-{pk}",
                            daemon=True)
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()
        try:
            model.objects.filter(pk=pk).update(heartbeat_at=None)
        except Exception:  # the database is gone: the error that matters is the work's own
            logger.warning("heartbeat of %s %s not cleared", model.__name__, pk, exc_info=True)


def _beat(model, pk: int, stop: threading.Event) -> None:
    # A thread has its own database connection, so a stamp is committed at once, whatever
    # transaction the work itself holds open.
    try:
        while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
            try:
                model.objects.filter(pk=pk).update(heartbeat_at=timezone.now())
            except Exception:  # a database outage: the work will notice it too
                logger.warning("heartbeat of %s %s not written", model.__name__, pk, exc_info=True)
                close_old_connections()
    finally:
        connection.close()
