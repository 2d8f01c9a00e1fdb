"""Training runs, model versions and import jobs, for staff."""
from rest_framework import serializers

from ml.models import ModelKind, ModelVersion, TrainingRun
from movies.importers.errors import ImportFailed
from movies.importers.sources import check_web_source
from movies.models import ImportJob


class TrainingRunSerializer(serializers.ModelSerializer):
    model_version = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True,
                                                       help_text="The version this run wrote, once it succeeded.")
    epochs = serializers.ListField(child=serializers.DictField(), read_only=True,
                                   help_text="Per epoch: phase, epoch, loss, validation metric, seconds.")
    evaluation = serializers.DictField(read_only=True, help_text="Final metrics on held-out data.")
    parameters = serializers.DictField(read_only=True)

    class Meta:
        model = TrainingRun
        fields = ["id", "kind", "status", "stage", "progress", "parameters", "epochs", "evaluation", "error",
                  "model_version", "created_at", "started_at", "finished_at"]


class TrainingRunStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ModelKind.choices, help_text="Which model to train.")


class ModelVersionSerializer(serializers.ModelSerializer):
    evaluation = serializers.DictField(read_only=True)

    class Meta:
        model = ModelVersion
        fields = ["id", "kind", "training_run", "dimensions", "evaluation", "is_active", "created_at", "activated_at"]


class RollBackSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ModelKind.choices, help_text="Which model to roll back.")


class ImportJobSerializer(serializers.ModelSerializer):
    counts = serializers.DictField(read_only=True, help_text="Rows created, updated and skipped per table.")

    class Meta:
        model = ImportJob
        fields = ["id", "kind", "source", "status", "stage", "progress", "counts", "error", "created_at",
                  "started_at", "finished_at"]


class ImportJobStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportJob.Kind.choices, default=ImportJob.Kind.MOVIELENS)
    source = serializers.CharField(max_length=2000, help_text="A directory or .zip on the server, or a URL.")


def refused_source(value: str) -> str | None:
    """Why the API may not import from `value` (a source it must not read: the view's 403), or None."""
    if "://" in value and not value.lower().startswith(("http://", "https://")):
        return "A URL must be http:// or https://."
    for source in value.splitlines() or [value]:  # a Wikipedia job: several sources, one a line
        try:
            check_web_source(source.strip())
        except ImportFailed as error:
            return str(error)
    return None
