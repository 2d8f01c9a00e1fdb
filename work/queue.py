"""Handing tasks to the Celery workers once the transaction commits, and saying so clearly when the broker is down."""
import logging
from collections.abc import Callable

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


class QueueUnavailable(Exception):
    """The task queue cannot be reached: nothing was queued. The API answers 503, the admin says so."""

    def __init__(self, what: str):
        super().__init__(f"The task queue is unavailable, so {what} could not be started. Try again later.")


def enqueue_on_commit(task, *args, what: str, on_failure: Callable[[str], None]) -> None:
    """Queue `task(*args)` once the current transaction commits (at once outside one).

    If the broker cannot be reached, `on_failure(message)` records it (e.g. ends the run failed, so
    it blocks nothing) and QueueUnavailable is raised to the caller.
    """
    def send():
        try:
            task.delay(*args)
        except OperationalError as error:
            logger.error("cannot queue %s%r: %s", task.name, args, error)
            unavailable = QueueUnavailable(what)
            on_failure(str(unavailable))
            raise unavailable from error

    transaction.on_commit(send)
