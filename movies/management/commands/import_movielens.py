"""`manage.py import_movielens SOURCE`: import a MovieLens release, with a progress bar."""
from django.core.management.base import BaseCommand

from movies.management.import_command import queue_or_run, summary
from movies.models import ImportJob


class Command(BaseCommand):
    help = "Import a MovieLens release from a directory, a .zip file or a URL (ml-latest-small, ml-25m, ml-1m, ...)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="directory, .zip archive or http(s) URL of a MovieLens release")
        parser.add_argument("--async", action="store_true", dest="queue",
                            help="queue the import for a Celery worker instead of running it here")

    def handle(self, *args, source, queue, **options):
        job = queue_or_run(self, source=source, kind=ImportJob.Kind.MOVIELENS, queue=queue,
                           verbosity=options["verbosity"])
        if job:
            self.stdout.write(self.style.SUCCESS(f"Imported {source} ({summary(job)})"))
