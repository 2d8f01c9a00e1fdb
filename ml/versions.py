"""Model versions: write one with all its vectors, activate it, roll back to the previous one.

A version is written inactive, in one transaction, with every vector; only then can it be
activated. Activation switches the single active version of its kind in another short
transaction, so readers always see one complete version.
"""
import numpy as np
from django.db import transaction
from django.utils import timezone

from ml.models import ModelVersion, MovieVector, TrainingRun, UserVector

BATCH = 5000


@transaction.atomic
def save_version(*, kind: str, movie_ids: np.ndarray, movie_vectors: np.ndarray, movie_bias: np.ndarray | None = None,
                 user_ids: np.ndarray | None = None, user_vectors: np.ndarray | None = None,
                 user_bias: np.ndarray | None = None, global_bias: float = 0.0, evaluation: dict | None = None,
                 training_run: TrainingRun | None = None) -> ModelVersion:
    """Store a new, inactive version and its vectors (float32) in bulk; returns it."""
    movie_vectors = np.ascontiguousarray(movie_vectors, dtype=np.float32)
    version = ModelVersion.objects.create(kind=kind, dimensions=movie_vectors.shape[1], global_bias=float(global_bias),
                                          evaluation=evaluation or {}, training_run=training_run)
    movie_bias = np.zeros(len(movie_ids)) if movie_bias is None else movie_bias
    MovieVector.objects.bulk_create(
        (MovieVector(version=version, movie_id=int(movie), vector=vector.tobytes(), bias=float(bias))
         for movie, vector, bias in zip(movie_ids.tolist(), movie_vectors, movie_bias.tolist())),
        batch_size=BATCH)
    if user_ids is not None:
        user_vectors = np.ascontiguousarray(user_vectors, dtype=np.float32)
        user_bias = np.zeros(len(user_ids)) if user_bias is None else user_bias
        UserVector.objects.bulk_create(
            (UserVector(version=version, user_id=int(user), vector=vector.tobytes(), bias=float(bias))
             for user, vector, bias in zip(user_ids.tolist(), user_vectors, user_bias.tolist())),
            batch_size=BATCH)
    return version


@transaction.atomic
def activate(version: ModelVersion) -> ModelVersion:
    """Make `version` the one its kind serves; the previously active one stays for a roll back."""
    current = list(ModelVersion.objects.select_for_update().filter(kind=version.kind, is_active=True))
    ModelVersion.objects.filter(pk__in=[v.pk for v in current if v.pk != version.pk]).update(is_active=False)
    ModelVersion.objects.filter(pk=version.pk).update(is_active=True, activated_at=timezone.now())
    version.refresh_from_db()
    return version


def roll_back(kind: str) -> ModelVersion | None:
    """Activate the version that was active before the current one; None if there is none."""
    current = ModelVersion.objects.filter(kind=kind, is_active=True).first()
    previous = (ModelVersion.objects.filter(kind=kind, is_active=False, activated_at__isnull=False)
                .exclude(pk=getattr(current, "pk", None)).order_by("-activated_at").first())
    return activate(previous) if previous else None


def active_version(kind: str) -> ModelVersion | None:
    return ModelVersion.objects.filter(kind=kind, is_active=True).first()
