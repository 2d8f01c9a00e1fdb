"""Web processes serve the active version from memory and switch when another version is activated."""
import numpy as np
import pytest

from ml import versions
from ml.models import ModelKind
from ml.serving import active
from movies.models import Movie

pytestmark = pytest.mark.django_db


def saved_version(movie_ids, vectors):
    return versions.save_version(kind=ModelKind.LINKS, movie_ids=movie_ids, movie_vectors=vectors)


def test_no_index_until_a_version_is_active():
    assert active.index_for(ModelKind.LINKS) is None


def test_the_index_serves_the_active_version_and_follows_activation():
    ids = np.array([Movie.objects.create(title=f"M{n}").pk for n in range(3)], dtype=np.int64)
    first = saved_version(ids, np.array([[1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32))
    second = saved_version(ids, np.array([[1, 0], [0, 1], [0.9, 0.1]], dtype=np.float32))

    versions.activate(first)
    assert active.index_for(ModelKind.LINKS).similar(int(ids[0]), k=1)[0][0] == ids[1]

    versions.activate(second)
    assert active.index_for(ModelKind.LINKS).similar(int(ids[0]), k=1)[0][0] == ids[2]


def test_the_previous_version_serves_while_another_thread_loads_the_new_one():
    ids = np.array([Movie.objects.create(title=f"M{n}").pk for n in range(3)], dtype=np.int64)
    first = saved_version(ids, np.array([[1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32))
    second = saved_version(ids, np.array([[1, 0], [0, 1], [0.9, 0.1]], dtype=np.float32))
    versions.activate(first)
    assert active.served(ModelKind.LINKS).version_id == first.pk

    versions.activate(second)
    with active._locks[ModelKind.LINKS]:  # as held by the thread that noticed the new version and loads it
        assert active.served(ModelKind.LINKS).version_id == first.pk
        assert active.active_versions()[list(ModelKind.values).index(ModelKind.LINKS)] == first.pk
    assert active.served(ModelKind.LINKS).version_id == second.pk


def test_vectors_are_loaded_a_chunk_at_a_time_in_movie_order(monkeypatch):
    monkeypatch.setattr(active, "LOAD_CHUNK_ROWS", 2)
    ids = np.array([Movie.objects.create(title=f"M{n}").pk for n in range(5)], dtype=np.int64)
    vectors = np.arange(15, dtype=np.float32).reshape(5, 3)
    versions.activate(saved_version(ids[::-1], vectors[::-1]))

    index = active.index_for(ModelKind.LINKS)
    assert index.movie_ids.tolist() == ids.tolist()
    assert np.array_equal(index.vectors, vectors)
