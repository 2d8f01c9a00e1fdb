"""`manage.py import_movielens SOURCE`: import a MovieLens release, with a progress bar."""
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from movies import jobs
from movies.models import ImportJob
from recsite.queue import QueueUnavailable


class Command(BaseCommand):
    help = "Import a MovieLens release from a directory, a .zip file or a URL (ml-latest-small, ml-25m, ml-1m, ...)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="directory, .zip archive or http(s) URL of a MovieLens release")
        parser.add_argument("--async", action="store_true", dest="queue",
                            help="queue the import for a Celery worker instead of running it here")

    def handle(self, *args, source, queue, **options):
        if queue:
            try:
                job = jobs.queue_import(source=source)
            except QueueUnavailable as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"Queued import job {job.pk}; follow it in the admin (Import jobs).")
            return
        job = ImportJob.objects.create(kind=ImportJob.Kind.MOVIELENS, source=source)
        with tqdm(total=100, unit="%", bar_format="{desc:<18} {bar} {percentage:3.0f}% {elapsed}",
                  disable=options["verbosity"] == 0) as bar:
            def draw(stage, fraction):
                bar.set_description_str(stage)
                bar.update(round(fraction * 100) - bar.n)

            job = jobs.run_import(job.pk, listeners=[draw])
        if job.status != ImportJob.Status.SUCCEEDED:
            raise CommandError(job.error)
        summary = ", ".join(f"{name.replace('_', ' ')}: {value}" for name, value in job.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Imported {source} ({summary})"))
