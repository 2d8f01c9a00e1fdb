"""A web process sets its BLAS threads and glibc's mmap threshold before Django loads (recsite/web_process.py)."""
import os
import subprocess
import sys

from recsite import web_process


def test_a_web_process_runs_one_blas_thread_unless_told_otherwise():
    env = {name: value for name, value in os.environ.items() if name not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    shown = subprocess.run(
        [sys.executable, "-c", "import os; from recsite import web_process; web_process.prepare(); "
                               "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'])"],
        env={**env, "OMP_NUM_THREADS": "3"}, capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["1", "3"]


def test_the_mmap_threshold_can_be_fixed_on_glibc():
    assert web_process.fix_mmap_threshold(web_process.MMAP_THRESHOLD_BYTES)
