"""The sweep: jobs whose worker died (no heartbeat for JOB_STALE_SECONDS) end failed.

A worker killed with SIGKILL (or a machine that dies) runs no `except` or `finally`: its row would say "running"
forever, and a dead training run would block the next one of its kind. Every worker sweeps at start and every
JOB_SWEEP_SECONDS (recsite/celery.py), and starting a run sweeps first. The work itself needs no repair: a version
is written in one transaction and activated only once complete, an import is one transaction, and PostgreSQL rolls
back what a dead connection left open.
"""
import logging
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from work.models import Job

logger = logging.getLogger(__name__)
DIED = "the worker running it stopped (killed, or its machine died): start it again"


def job_models() -> list[type[Job]]:
    """Every installed model that is a Job (found through the app registry, so this app names none of them)."""
    return [model for model in apps.get_models() if issubclass(model, Job)]


def sweep() -> int:
    """End failed every running job whose heartbeat is stale; returns how many."""
    cutoff = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)
    ended = 0
    for model in job_models():
        stale = model.objects.filter(status=model.Status.RUNNING, heartbeat_at__lt=cutoff)
        count = stale.update(status=model.Status.FAILED, error=DIED, finished_at=timezone.now())
        if count:
            logger.warning("%s %s(s) whose worker died marked failed", count, model.__name__)
        ended += count
    return ended
