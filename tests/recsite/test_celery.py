"""Celery workers: they run below the web processes' CPU priority, in the SCHED_IDLE class on Linux."""
import os

import psutil
import pytest
from django.conf import settings

from tests.conftest import wait_for


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_at_a_lower_cpu_priority_than_the_web(celery_worker_process):
    web = psutil.Process().nice()
    lowered = min(19, web + settings.WORKER_NICENESS)  # 19 is the lowest priority there is
    wait_for(lambda: psutil.Process(celery_worker_process.pid).nice() == lowered, timeout=60)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
def test_a_worker_runs_only_on_cpu_time_nothing_else_wants(celery_worker_process):
    assert settings.WORKER_SCHED_IDLE
    wait_for(lambda: os.sched_getscheduler(celery_worker_process.pid) == os.SCHED_IDLE, timeout=60)
