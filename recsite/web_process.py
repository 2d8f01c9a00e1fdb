"""What a web process sets before Django loads: one BLAS thread, and large arrays given back to the system."""
import ctypes
import os

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)
MMAP_THRESHOLD_BYTES = 1024 * 1024


def prepare() -> None:
    """One BLAS thread: a request's small matrix products finish in about a millisecond, while a second thread
    waiting for a busy core costs ten (see bench/results/serving.md).

    A fixed mmap threshold. glibc serves a block above the threshold (128 KB at first) with a mapping of its own,
    given back to the system when freed, but raises the threshold to the size of each such block freed, up to
    32 MB. Once a model version's arrays (megabytes) were replaced, blocks of any size below theirs came from the
    threads' heaps, and the web processes' memory grew in steps under load: 296 → 345 MB in 10 minutes
    (bench/load.py), 288 → 293 MB with a threshold fixed at 1 MB. Not lower: at 128 KB the fold-in's temporaries
    (512 KB a Newton step) each took a new mapping, and a fold-in twice as long."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ:  # set by hand: glibc has read it already
        fix_mmap_threshold(MMAP_THRESHOLD_BYTES)


def fix_mmap_threshold(size: int) -> bool:
    """Serve every block of ``size`` bytes or more with a mapping of its own from now on (setting the threshold
    turns off glibc's raising of it); False where the C library is not glibc."""
    try:
        return bool(ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, size))
    except (OSError, AttributeError):
        return False
