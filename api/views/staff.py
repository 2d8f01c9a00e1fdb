"""Staff only: training runs, model versions and import jobs. Everyone else gets 401 or 403."""
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response

from api.errors import Conflict, ErrorSerializer
from api.serializers.staff import (
    ImportJobSerializer,
    ImportJobStartSerializer,
    ModelVersionSerializer,
    RollBackSerializer,
    TrainingRunSerializer,
    TrainingRunStartSerializer,
    refused_source,
)
from ml import runs, versions
from ml.models import ModelVersion, TrainingRun
from movies.jobs import queue_import
from movies.models import ImportJob


class StaffViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAdminUser]


@extend_schema_view(
    list=extend_schema(summary="Training runs", description="Newest first."),
    retrieve=extend_schema(summary="A training run", description="Its status, progress and per-epoch metrics."),
    create=extend_schema(
        summary="Start a training run", request=TrainingRunStartSerializer,
        description="Queues a run for a worker. At most one run per kind is queued or running at a time.",
        responses={201: TrainingRunSerializer,
                   409: OpenApiResponse(ErrorSerializer, description="A run of that kind is queued or running.")}),
)
class TrainingRunViewSet(mixins.CreateModelMixin, StaffViewSet):
    queryset = TrainingRun.objects.select_related("model_version")
    serializer_class = TrainingRunSerializer

    def create(self, request):
        data = TrainingRunStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run, created = runs.start_run(data.validated_data["kind"], user=request.user)
        if not created:
            raise Conflict(f"A {run.kind} training run is already {run.status}: run {run.pk}.")
        return Response(TrainingRunSerializer(run).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Model versions", description="Newest first; at most one active per kind."),
    retrieve=extend_schema(summary="A model version"),
    activate=extend_schema(summary="Activate a model version", request=None,
                           description="The site serves it within seconds; the one it replaces stays for a roll back."),
    roll_back=extend_schema(
        summary="Roll back a model", request=RollBackSerializer,
        description="Activates the version that was active before the current one of that kind.",
        responses={200: ModelVersionSerializer,
                   409: OpenApiResponse(ErrorSerializer, description="No earlier version to go back to.")}),
)
class ModelVersionViewSet(StaffViewSet):
    queryset = ModelVersion.objects.all()
    serializer_class = ModelVersionSerializer

    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        return Response(ModelVersionSerializer(versions.activate(self.get_object())).data)

    @action(detail=False, methods=["post"], url_path="roll-back")
    def roll_back(self, request):
        data = RollBackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = versions.roll_back(data.validated_data["kind"])
        if version is None:
            raise Conflict(f"No earlier {data.validated_data['kind']} version to roll back to.")
        return Response(ModelVersionSerializer(version).data)


@extend_schema_view(
    list=extend_schema(summary="Import jobs", description="Newest first."),
    retrieve=extend_schema(summary="An import job", description="Its stage, progress, counts and error."),
    create=extend_schema(summary="Start an import", request=ImportJobStartSerializer,
                         description="Queues an import of a MovieLens release (directory, .zip or URL) for a worker.",
                         responses={201: ImportJobSerializer, 403: OpenApiResponse(
                             ErrorSerializer, description="Not staff, or a source the API may not read: a URL "
                                                          "that is not http(s), a path outside IMPORT_ROOTS.")}),
)
class ImportJobViewSet(mixins.CreateModelMixin, StaffViewSet):
    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer

    def create(self, request):
        data = ImportJobStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refusal = refused_source(data.validated_data["source"])
        if refusal:
            raise PermissionDenied({"source": [refusal]})
        job = queue_import(source=data.validated_data["source"], kind=data.validated_data["kind"], user=request.user)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)
