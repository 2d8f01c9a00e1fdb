"""`manage.py import_wikipedia SOURCE...`: import films and their links from a Wikipedia dump."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from movies import jobs
from movies.models import ImportJob
from recsite.queue import QueueUnavailable


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
        parser.add_argument("--part-mb", type=int, default=None,
                            help="compressed megabytes of a multistream file per task (WIKIPEDIA_PART_BYTES)")

    def handle(self, *args, sources, queue, common_link_share, part_mb, **options):
        job_options = {"common_link_share": common_link_share}
        if part_mb:
            job_options["part_bytes"] = part_mb * 1024**2
        source = "\n".join(sources)
        if queue:
            try:
                job = jobs.queue_import(source=source, kind=ImportJob.Kind.WIKIPEDIA, options=job_options)
            except QueueUnavailable as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"Queued import job {job.pk}; follow it in the admin (Import jobs).")
            return
        job = ImportJob.objects.create(kind=ImportJob.Kind.WIKIPEDIA, source=source, options=job_options)
        with tqdm(total=100, unit="%", bar_format="{desc:<18} {bar} {percentage:3.0f}% {elapsed}",
                  disable=options["verbosity"] == 0) as bar:
            def draw(stage, fraction):
                bar.set_description_str(stage)
                bar.update(round(fraction * 100) - bar.n)

            job = jobs.run_import(job.pk, listeners=[draw])
        if job.status != ImportJob.Status.SUCCEEDED:
            raise CommandError(job.error)
        summary = ", ".join(f"{name.replace('_', ' ')}: {value}" for name, value in job.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Imported {' '.join(sources)} ({summary})"))
