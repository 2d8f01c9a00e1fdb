"""Versions are written whole, one is active per kind, and a roll back restores the previous one."""
import numpy as np
import pytest
from django.db import IntegrityError, transaction

from ml import versions
from ml.models import ModelKind, ModelVersion, MovieVector, TrainingRun
from movies.models import Movie

pytestmark = pytest.mark.django_db


@pytest.fixture
def movie_ids():
    return np.array([Movie.objects.create(title=f"Movie {n}").pk for n in range(5)], dtype=np.int64)


def new_version(movie_ids, seed=0):
    vectors = np.random.default_rng(seed).normal(size=(len(movie_ids), 8)).astype(np.float32)
    return versions.save_version(kind=ModelKind.LINKS, movie_ids=movie_ids, movie_vectors=vectors), vectors


def test_a_saved_version_holds_every_vector_exactly_and_is_not_active_yet(movie_ids):
    version, vectors = new_version(movie_ids)

    stored = {v.movie_id: v.values() for v in MovieVector.objects.filter(version=version)}
    assert not version.is_active
    assert len(stored) == len(movie_ids)
    for movie, vector in zip(movie_ids.tolist(), vectors):
        np.testing.assert_array_equal(stored[movie], vector)


def test_activating_a_version_deactivates_the_previous_one_and_roll_back_restores_it(movie_ids):
    first, _ = new_version(movie_ids, seed=1)
    second, _ = new_version(movie_ids, seed=2)

    versions.activate(first)
    versions.activate(second)
    assert list(ModelVersion.objects.filter(is_active=True)) == [second]

    assert versions.roll_back(ModelKind.LINKS) == first
    assert versions.active_version(ModelKind.LINKS) == first


def test_the_database_refuses_two_active_versions_of_a_kind(movie_ids):
    first, _ = new_version(movie_ids, seed=1)
    second, _ = new_version(movie_ids, seed=2)
    ModelVersion.objects.filter(pk=first.pk).update(is_active=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVersion.objects.filter(pk=second.pk).update(is_active=True)


def test_the_database_refuses_a_second_unfinished_run_of_a_kind():
    TrainingRun.objects.create(kind=ModelKind.RATINGS, status=TrainingRun.Status.RUNNING)
    TrainingRun.objects.create(kind=ModelKind.LINKS, status=TrainingRun.Status.QUEUED)
    TrainingRun.objects.create(kind=ModelKind.RATINGS, status=TrainingRun.Status.SUCCEEDED)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingRun.objects.create(kind=ModelKind.RATINGS, status=TrainingRun.Status.QUEUED)
