"""`manage.py setup_demo [SOURCE]`: data, accounts and models for the run command (MovieLens fetched or generated)."""
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ml import demo as demo_models
from ml.models import ModelKind
from movies import demo
from movies.importers.download import DownloadFailed
from movies.models import Rating, WikiLink
from synthetic.movielens import generate_dataset


class Command(BaseCommand):
    help = "Import MovieLens (once) and create the demo accounts. Offline with no SOURCE, generate demo data."

    def add_arguments(self, parser):
        parser.add_argument("source", nargs="?",
                            help="MovieLens directory, .zip or URL (default: the MOVIELENS_DEMO_URL setting)")
        parser.add_argument("--password", default="recsite-demo", help="password of the demo and admin accounts")
        parser.add_argument("--wikipedia", metavar="DUMP",
                            help="a Wikipedia dump (path or URL) to import for the link model (once)")
        parser.add_argument("--train", action="store_true",
                            help="queue training runs for a Celery worker (ratings; links when there are Wikipedia "
                                 "links) for every kind without an active model, and wait until they end")

    def handle(self, *args, source, password, wikipedia=None, train=False, **options):
        if Rating.objects.exists():
            self.stdout.write("Ratings already imported; skipping the import (run import_movielens to update).")
        elif source:
            call_command("import_movielens", source)
        else:
            try:
                call_command("import_movielens", settings.MOVIELENS_DEMO_URL)
            except (CommandError, DownloadFailed) as error:
                folder = Path(settings.DATA_DIR) / "demo-data"
                self.stdout.write(self.style.WARNING(
                    f"Could not download MovieLens ({error}).\nUsing GENERATED demo data instead (made-up titles "
                    f"and ratings) in {folder}. Pass a MovieLens path or URL to use real data."))
                folder = Path(tempfile.mkdtemp(dir=settings.DATA_DIR)) if folder.exists() else folder
                generate_dataset(folder, n_users=300, n_movies=600, ratings_per_user=40, name="recsite-demo")
                call_command("import_movielens", str(folder))
        if wikipedia:
            self._import_wikipedia(wikipedia)
        demo.ensure_accounts(password)
        rated = demo.rate_for_demo()
        self.stdout.write(f"Demo accounts ready: demo (rated {rated} movies) and admin (staff), password {password!r}.")
        if train:
            kinds = [ModelKind.RATINGS] + ([ModelKind.LINKS] if WikiLink.objects.exists() else [])
            finished = demo_models.train_missing_models(kinds, report=self.stdout.write)
            failed = [f"{run.kind}: {run.error or run.status}" for run in finished if run.status != "succeeded"]
            if failed:
                raise CommandError("training failed (" + "; ".join(failed) + "); see the worker log")
            if ModelKind.LINKS not in kinds:
                self.stdout.write("No Wikipedia links: movie pages show the ratings-based list only. Pass "
                                  "--wikipedia DUMP for the link-based one.")

    def _import_wikipedia(self, dump: str) -> None:
        if WikiLink.objects.exists():
            self.stdout.write("Wikipedia links already imported; skipping the dump (run import_wikipedia to update).")
        else:
            call_command("import_wikipedia", dump)
