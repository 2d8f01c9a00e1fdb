"""`manage.py export_embeddings KIND`: the movie vectors of a version as TSV files for the Embedding Projector."""
from django.core.management.base import BaseCommand, CommandError

from ml.models import ModelKind, ModelVersion
from ml.training.projector import export_projector


class Command(BaseCommand):
    help = "Write vectors.tsv and metadata.tsv of a model version, to load in projector.tensorflow.org."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ModelKind.values)
        parser.add_argument("--version", type=int, help="a version id (default: the active version)")
        parser.add_argument("--out", help="the folder to write to (default: MODEL_DIR/KIND-vID/projector)")

    def handle(self, *args, kind, version, out, **options):
        versions = ModelVersion.objects.filter(kind=kind)
        chosen = versions.filter(pk=version).first() if version else versions.filter(is_active=True).first()
        if chosen is None:
            missing = f"no {kind} version {version}" if version else f"no active {kind} version: retrain first"
            raise CommandError(missing)
        directory = export_projector(chosen, out)
        self.stdout.write(self.style.SUCCESS(f"Wrote {directory / 'vectors.tsv'} and {directory / 'metadata.tsv'}"))
