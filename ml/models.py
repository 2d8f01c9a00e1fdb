"""Training runs, model versions and the embeddings each version wrote back to the database.

A run trains one kind of model (link embeddings or collaborative filtering) and, if it succeeds,
produces a ModelVersion with one vector per movie (and per user, for collaborative filtering).
Serving uses the single active version of each kind; switching is one transaction, done only
after every vector of the new version is written, so a half-written version is never active.
"""
import numpy as np
from django.conf import settings
from django.db import models
from django.db.models import Q

from work.models import Job


class ModelKind(models.TextChoices):
    LINKS = "links", "Link embeddings (Wikipedia)"
    RATINGS = "ratings", "Collaborative filtering (ratings)"


class TrainingRun(Job):
    kind = models.CharField(max_length=20, choices=ModelKind.choices)
    parameters = models.JSONField(default=dict, blank=True)
    epochs = models.JSONField(default=list, blank=True, help_text="Per-epoch loss, validation metric and seconds.")
    evaluation = models.JSONField(default=dict, blank=True, help_text="Final metrics on held-out data.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="training_runs")

    class Meta(Job.Meta):
        constraints = [
            # At most one queued or running run per kind: a second request finds this one instead.
            models.UniqueConstraint(fields=["kind"], condition=Q(status__in=["queued", "running"]),
                                    name="one_unfinished_run_per_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} run #{self.pk} ({self.status})"


class ModelVersion(models.Model):
    kind = models.CharField(max_length=20, choices=ModelKind.choices)
    training_run = models.OneToOneField(TrainingRun, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="model_version")
    dimensions = models.PositiveIntegerField()
    global_bias = models.FloatField(default=0.0)
    parameters = models.JSONField(default=dict, blank=True, help_text="Training parameters (fold-in uses the L2).")
    evaluation = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(is_active=True), name="one_active_version_per_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.pk}" + (" (active)" if self.is_active else "")


class MovieVector(models.Model):
    """One movie's embedding in one model version: float32 values stored as bytes, plus its bias."""

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="movie_vectors")
    movie = models.ForeignKey("movies.Movie", on_delete=models.CASCADE, related_name="+", db_index=False)
    vector = models.BinaryField()
    bias = models.FloatField(default=0.0)
    # Collaborative filtering ranks with a second set of vectors of the same form (see ml/training/collaborative.py).
    rank_vector = models.BinaryField(null=True, blank=True)
    rank_bias = models.FloatField(default=0.0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "movie"], name="one_vector_per_movie")]

    def __str__(self):
        return f"movie {self.movie_id} in {self.version}"

    def values(self) -> np.ndarray:
        return np.frombuffer(self.vector, dtype=np.float32)


class UserVector(models.Model):
    """One user's embedding in a collaborative-filtering version (users who rate later are folded in)."""

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="user_vectors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    vector = models.BinaryField()
    bias = models.FloatField(default=0.0)
    rank_vector = models.BinaryField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="one_vector_per_user")]

    def __str__(self):
        return f"user {self.user_id} in {self.version}"

    def values(self) -> np.ndarray:
        return np.frombuffer(self.vector, dtype=np.float32)
