"""`manage.py retrain KIND`: train a model now (with a progress bar, or a line per stage when the output is not a
terminal), or queue it with --async. `all` trains every kind that has data and says which it skipped and why.

TensorFlow, loaded by the trainer, writes log lines straight to the process's standard error from C++ (oneDNN,
CPU features, "All log messages before absl::InitializeLog()…"), which would break the progress bar; so while a
run trains here, file descriptor 2 goes to DATA_DIR/logs/retrain-<kind>-<run>.log (named at the end) and the bar to
the terminal's standard error as it was."""
import contextlib
import os
import sys
from argparse import RawDescriptionHelpFormatter
from pathlib import Path

# Before TensorFlow is imported: what its C++ logging still filters by level.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from django.conf import settings  # noqa: E402
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter  # noqa: E402
from django.db import IntegrityError, transaction  # noqa: E402
from tqdm import tqdm  # noqa: E402

from ml import runs  # noqa: E402
from ml.models import ModelKind, TrainingRun  # noqa: E402
from ml.readiness import why_not_trainable  # noqa: E402
from ml.training import guard, trainers  # noqa: E402
from work.queue import QueueUnavailable  # noqa: E402

KINDS = {"ratings": [ModelKind.RATINGS], "links": [ModelKind.LINKS], "all": [ModelKind.RATINGS, ModelKind.LINKS]}
HELP = """Retrain a recommendation model and activate the new version.

kinds:
  ratings  collaborative filtering from the ratings: the rating tower (predicted ratings) and the spectral picks
           model (picks, "Viewers also liked"); needs imported ratings (manage.py import_movielens)
  links    movie embeddings from the links of Wikipedia's film articles ("Similar movies"); needs an imported
           dump (manage.py import_wikipedia)
  all      every kind that has data to train on; the others are skipped with the reason. Exits 0 when at least
           one was trained.

In a terminal a progress bar follows the run; otherwise (a log, a pipe) one line per stage. With --async the run
is queued for a Celery worker and followed in the admin."""


class _HelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Django's help layout, keeping the description's lines as written."""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        return super().create_parser(prog_name, subcommand, formatter_class=_HelpFormatter, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS), help="ratings, links or all (see above)")
        parser.add_argument("--async", action="store_true", dest="queue", help="queue the run for a Celery worker")

    def handle(self, *args, kind, queue, **options):
        trained, skipped, failures = [], [], []
        for model_kind in KINDS[kind]:
            if reason := why_not_trainable(model_kind):
                if kind != "all":
                    raise CommandError(f"cannot train {model_kind}: {reason}")
                skipped.append(model_kind)
                self.stdout.write(self.style.WARNING(f"{model_kind}: skipped, {reason}"))
                continue
            if queue:
                try:
                    run, created = runs.start_run(model_kind)
                except QueueUnavailable as error:
                    raise CommandError(str(error)) from None
                verb = "Queued" if created else "Already queued or running:"
                self.stdout.write(f"{verb} training run {run.pk} ({model_kind}); follow it in the admin.")
                trained.append(model_kind)
                continue
            run = self._train_here(model_kind, verbosity=options["verbosity"])
            if run.status == TrainingRun.Status.SUCCEEDED and not run.model_version.is_active:
                trained.append(model_kind)
                self.stdout.write(self.style.WARNING(
                    f"{model_kind}: version {run.model_version.pk} kept inactive, {guard.explain(run.evaluation)}; "
                    "activate it anyway in the admin (Model versions)"))
            elif run.status == TrainingRun.Status.SUCCEEDED:
                trained.append(model_kind)
                self.stdout.write(self.style.SUCCESS(f"{model_kind}: version {run.model_version.pk} is active "
                                                     f"({_summary(run.evaluation)})"))
            else:
                failures.append(f"{model_kind}: {run.error}")
                self.stderr.write(f"{model_kind}: failed, {run.error}")
        if not trained:
            raise CommandError("; ".join(failures) or "nothing to train: " + ", ".join(skipped) + " skipped")
        if len(KINDS[kind]) > 1:
            summary = [f"trained {', '.join(trained)}" if not queue else f"queued {', '.join(trained)}"]
            summary += [f"skipped {', '.join(skipped)}"] * bool(skipped) + [f"{len(failures)} failed"] * bool(failures)
            self.stdout.write("; ".join(summary) + ".")

    def _train_here(self, kind: str, verbosity: int) -> TrainingRun:
        _quiet_tensorflow_logs()
        try:
            with transaction.atomic():
                run = TrainingRun.objects.create(kind=kind)
        except IntegrityError:  # the database allows one unfinished run per kind
            raise CommandError(f"a {kind} training run is already queued or running") from None
        log = Path(settings.DATA_DIR) / "logs" / f"retrain-{kind}-{run.pk}.log"
        terminal = sys.stderr.isatty()
        with _stderr_to(log) as stderr:
            if verbosity == 0:
                finished = trainers.execute_run(run.pk)
            elif not terminal:  # a log or a pipe: no bar redrawn in place, a line per stage
                last = [None]

                def report(current: TrainingRun):
                    if current.stage != last[0]:
                        last[0] = current.stage
                        self.stdout.write(f"{kind}: {current.progress:4.0%} {current.stage}")

                finished = trainers.execute_run(run.pk, on_epoch=report)
            else:
                bar_format = "{desc:<44} {bar} {percentage:3.0f}% {elapsed}"
                with tqdm(total=100, unit="%", bar_format=bar_format, file=stderr) as bar:
                    def draw(current: TrainingRun):
                        bar.set_description_str(current.stage[:44])
                        bar.update(round(current.progress * 100) - bar.n)

                    finished = trainers.execute_run(run.pk, on_epoch=draw)
                    if finished.status == TrainingRun.Status.SUCCEEDED:
                        bar.set_description_str("done")
                        bar.update(100 - bar.n)
        if verbosity > 0 and log.exists() and log.stat().st_size:
            self.stdout.write(f"{kind}: TensorFlow's messages are in {log}")
        return finished


@contextlib.contextmanager
def _stderr_to(path: Path):
    """File descriptor 2 (C++ libraries write there) into `path` while the block runs; yields a stream on the
    standard error as it was, for the progress bar."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log, os.fdopen(os.dup(saved), "w") as original:
        os.dup2(log.fileno(), 2)
        try:
            yield original
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def _quiet_tensorflow_logs() -> None:
    """absl's Python logging (which Keras writes warnings through) at errors only, before TensorFlow is loaded."""
    try:
        from absl import logging as absl_logging
    except ImportError:  # no TensorFlow here: nothing to quiet
        return
    absl_logging.set_verbosity(absl_logging.ERROR)


def _summary(evaluation: dict) -> str:
    return ", ".join(f"{name} {value:.3f}" for name, value in evaluation.items() if isinstance(value, float))
