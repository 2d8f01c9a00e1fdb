"""`manage.py import_wikipedia SOURCE...`: import films and their links from a Wikipedia dump."""
from django.conf import settings
from django.core.management.base import BaseCommand

from movies.management.import_command import queue_or_run, summary
from movies.models import ImportJob


class Command(BaseCommand):
    help = ("Import films and their links from English Wikipedia pages-articles dump files: .xml, .xml.bz2 "
            "partitions, or a multistream .xml.bz2 with its -index.txt.bz2 (paths or URLs).")

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="+", metavar="SOURCE", help="dump file or http(s) URL")
        parser.add_argument("--async", action="store_true", dest="queue",
                            help="queue the import for Celery workers, one task per part, instead of running it here")
        parser.add_argument("--common-link-share", type=float, default=settings.WIKIPEDIA_COMMON_LINK_SHARE,
                            help="drop link targets that more than this share of the films link to "
                                 "(default %(default)s, from WIKIPEDIA_COMMON_LINK_SHARE)")
        parser.add_argument("--common-link-min-films", type=int, default=settings.WIKIPEDIA_COMMON_LINK_MIN_FILMS,
                            help="... and that at least this many films link to (default %(default)s, from "
                                 "WIKIPEDIA_COMMON_LINK_MIN_FILMS): a small dump keeps its links")
        parser.add_argument("--part-mb", type=int, default=None,
                            help="compressed megabytes of a multistream file per task (WIKIPEDIA_PART_BYTES)")

    def handle(self, *args, sources, queue, common_link_share, common_link_min_films, part_mb, **options):
        job_options = {"common_link_share": common_link_share, "common_link_min_films": common_link_min_films}
        if part_mb:
            job_options["part_bytes"] = part_mb * 1024**2
        job = queue_or_run(self, source="\n".join(sources), kind=ImportJob.Kind.WIKIPEDIA, queue=queue,
                           verbosity=options["verbosity"], options=job_options)
        if job:
            self.stdout.write(self.style.SUCCESS(f"Imported {' '.join(sources)} ({summary(job)})"))
