"""What the training benchmarks share: the machine they ran on, number formatting, a Markdown report."""
import os
import platform

import numpy as np


def machine() -> str:
    """CPU model, cores, RAM and library versions."""
    from ml import collaborative

    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
        with open("/proc/meminfo") as f:
            ram = int(next(line.split()[1] for line in f if line.startswith("MemTotal"))) / 2**20
    except (OSError, StopIteration):
        ram = float("nan")
    tf, keras = collaborative._tensorflow()
    return (f"{cpu}, {os.cpu_count()} cores, {ram:.1f} GiB RAM; Python {platform.python_version()}, "
            f"TensorFlow {tf.__version__}, Keras {keras.__version__}, numpy {np.__version__}")


def fmt(value, digits=4) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


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
