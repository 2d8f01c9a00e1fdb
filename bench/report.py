"""What the benchmarks share: the machine they ran on, number formatting, a Markdown report."""
import os
import platform
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


def machine(*, tensorflow: bool = False) -> str:
    """The machine every results file names: CPU model, cores, RAM, Python and the OS; with ``tensorflow``, the
    versions of TensorFlow, Keras and numpy too (it imports TensorFlow)."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")),
               platform.processor() or platform.machine())
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    kib = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")), 0)
    text = (f"{cpu}, {os.cpu_count()} cores, {kib / 2**20:.1f} GiB RAM; Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")
    if tensorflow:
        from ml.training import collaborative

        tf, keras = collaborative._tensorflow()
        text += f"; TensorFlow {tf.__version__}, Keras {keras.__version__}, numpy {np.__version__}"
    return text


def fmt(value, digits=4) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def time_ratio_row(command: str, ours: float, baseline: float, limit: float, baseline_name: str) -> tuple:
    """A bars-table row: ``command`` took at most ``limit`` × the baseline's seconds, measured in the same run."""
    return (f"`{command}` ≤ {limit:.0f}× {baseline_name}", f"{ours:.0f} s vs {baseline:.0f} s ({ours / baseline:.1f}×)",
            "PASS" if ours <= limit * baseline else "FAIL")


class Report:
    """Collects Markdown lines, printing them as they come."""

    def __init__(self):
        self.lines = []

    def __call__(self, line=""):
        print(line, flush=True)
        self.lines.append(line)

    def table(self, header, rows):
        self("| " + " | ".join(header) + " |")
        self("|" + "---|" * len(header))
        for row in rows:
            self("| " + " | ".join(str(cell) for cell in row) + " |")
        self()

    def write(self, path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(self.lines) + "\n")
        print(f"\nwritten to {path}")
