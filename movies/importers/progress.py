"""Progress of a long import, reported to listeners: a command-line bar, the job row in the admin.

An import is a sequence of stages with weights that add up to 1 (reading movies 0.05, loading
ratings 0.8, ...). Within a stage the code reports the fraction done; listeners receive the
stage's name and the overall fraction.
"""
import time
from collections.abc import Callable

Listener = Callable[[str, float], None]


class Progress:
    def __init__(self, *listeners: Listener):
        self.listeners = list(listeners)
        self.done = 0.0  # weight of the finished stages
        self.name, self.weight = "", 0.0

    def stage(self, name: str, weight: float) -> None:
        """Finish the current stage and start the next one."""
        self.done = min(1.0, self.done + self.weight)
        self.name, self.weight = name, weight
        self._tell(self.done)

    def advance(self, fraction: float) -> None:
        """Report that `fraction` (0 to 1) of the current stage is done."""
        self._tell(self.done + self.weight * min(max(fraction, 0.0), 1.0))

    def _tell(self, overall: float) -> None:
        for listener in self.listeners:
            listener(self.name, min(overall, 1.0))


def throttled(listener: Listener, every_seconds: float) -> Listener:
    """A listener that passes on at most one report per interval, plus every change of stage."""
    last = {"at": 0.0, "stage": None}

    def report(stage: str, fraction: float) -> None:
        now = time.monotonic()
        if stage != last["stage"] or now - last["at"] >= every_seconds or fraction >= 1.0:
            last.update(at=now, stage=stage)
            listener(stage, fraction)

    return report
