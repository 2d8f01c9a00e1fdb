"""`manage.py retrain KIND`: train a model now (with a progress bar), or queue it with --async."""
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from tqdm import tqdm

from ml import runs
from ml.models import ModelKind, TrainingRun
from recsite.queue import QueueUnavailable

KINDS = {"ratings": [ModelKind.RATINGS], "links": [ModelKind.LINKS], "all": [ModelKind.RATINGS, ModelKind.LINKS]}


class Command(BaseCommand):
    help = "Retrain a recommendation model: ratings (collaborative filtering), links (Wikipedia), or all."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("--async", action="store_true", dest="queue", help="queue the run for a Celery worker")

    def handle(self, *args, kind, queue, **options):
        failures = []
        for model_kind in KINDS[kind]:
            if queue:
                try:
                    run, created = runs.start_run(model_kind)
                except QueueUnavailable as error:
                    raise CommandError(str(error)) from None
                verb = "Queued" if created else "Already queued or running:"
                self.stdout.write(f"{verb} training run {run.pk} ({model_kind}); follow it in the admin.")
                continue
            run = self._train_here(model_kind, quiet=options["verbosity"] == 0)
            if run.status == TrainingRun.Status.SUCCEEDED:
                self.stdout.write(self.style.SUCCESS(f"{model_kind}: version {run.model_version.pk} is active "
                                                     f"({_summary(run.evaluation)})"))
            else:
                failures.append(f"{model_kind}: {run.error}")
        if failures:
            raise CommandError("; ".join(failures))

    def _train_here(self, kind: str, quiet: bool) -> TrainingRun:
        try:
            with transaction.atomic():
                run = TrainingRun.objects.create(kind=kind)
        except IntegrityError:  # the database allows one unfinished run per kind
            raise CommandError(f"a {kind} training run is already queued or running") from None
        bar_format = "{desc:<30} {bar} {percentage:3.0f}% {elapsed}"
        with tqdm(total=100, unit="%", disable=quiet, bar_format=bar_format) as bar:
            def draw(current: TrainingRun):
                bar.set_description_str(current.stage[:30])
                bar.update(round(current.progress * 100) - bar.n)

            return runs.execute_run(run.pk, on_epoch=draw)


def _summary(evaluation: dict) -> str:
    return ", ".join(f"{name} {value:.3f}" for name, value in evaluation.items() if isinstance(value, float))
