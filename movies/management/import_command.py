"""What the import commands share: queue a job for a worker, or run it here with a progress bar (a line per
stage when the output is not a terminal)."""
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from movies import importing, jobs
from movies.models import ImportJob
from work.queue import QueueUnavailable


def queue_or_run(command: BaseCommand, *, source: str, kind: str, queue: bool, verbosity: int,
                 options: dict | None = None) -> ImportJob | None:
    """Queue the import (None: a worker will run it) or run it now; a failed import is a CommandError."""
    if queue:
        try:
            job = jobs.queue_import(source=source, kind=kind, options=options)
        except QueueUnavailable as error:
            raise CommandError(str(error)) from None
        command.stdout.write(f"Queued import job {job.pk}; follow it in the admin (Import jobs).")
        return None
    job = ImportJob.objects.create(kind=kind, source=source, options=options or {})
    if verbosity > 0 and not sys.stderr.isatty():  # a log or a pipe: no bar redrawn in place, a line per stage
        last = [None]

        def line(stage, fraction):
            if stage != last[0]:
                last[0] = stage
                command.stdout.write(f"{fraction:4.0%} {stage}")

        job = importing.run_import(job.pk, listeners=[line])
    else:
        with tqdm(total=100, unit="%", bar_format="{desc:<18} {bar} {percentage:3.0f}% {elapsed}",
                  disable=verbosity == 0) as bar:
            def draw(stage, fraction):
                bar.set_description_str(stage)
                bar.update(round(fraction * 100) - bar.n)

            job = importing.run_import(job.pk, listeners=[draw])
    if job.status != ImportJob.Status.SUCCEEDED:
        raise CommandError(job.error)
    return job


def summary(job: ImportJob) -> str:
    """The job's counts as one line: "movies created: 9742, ratings: 100836, ..."."""
    return ", ".join(f"{name.replace('_', ' ')}: {value}" for name, value in job.counts.items())
