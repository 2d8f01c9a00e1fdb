"""The active model versions as in-memory indexes, loaded once per web process.

`served(kind, tower)` returns the active version of a model kind as an EmbeddingIndex with the version's
training parameters, loading its vectors from the database in one query the first time, and again only
when another version has been activated (checked at most every few seconds). No TensorFlow: vectors are
numpy arrays.
"""
import threading
import time
from dataclasses import dataclass

import numpy as np

from ml.index import EmbeddingIndex
from ml.models import ModelKind, ModelVersion, MovieVector

RECHECK_SECONDS = 5.0
RATING, RANKING = "rating", "ranking"  # the two towers of collaborative filtering; link versions have only "rating"

_lock = threading.Lock()


@dataclass(frozen=True)
class Served:
    """One tower of the active version of a kind, in memory."""

    version_id: int
    index: EmbeddingIndex
    parameters: dict


_loaded: dict[tuple[str, str], Served] = {}
_checked: dict[str, tuple[float, int | None]] = {}


def served(kind: str, tower: str = RATING) -> Served | None:
    """The active version of `kind`, one tower of it (None while no version is active)."""
    version_id = _active_version_id(kind)
    if version_id is None:
        return None
    with _lock:
        loaded = _loaded.get((kind, tower))
        if loaded is None or loaded.version_id != version_id:
            version = ModelVersion.objects.get(pk=version_id)
            loaded = Served(version_id, _load(version, tower), version.parameters)
            _loaded[(kind, tower)] = loaded
    return loaded


def index_for(kind: str, tower: str = RATING) -> EmbeddingIndex | None:
    """The active version's index for `kind` (None while no version is active)."""
    loaded = served(kind, tower)
    return None if loaded is None else loaded.index


def active_versions() -> tuple[int | None, ...]:
    """The active version of each kind (None for a kind without one), as known to this process: what a cached
    page depends on."""
    return tuple(_active_version_id(kind) for kind in ModelKind.values)


def forget() -> None:
    """Drop every loaded index (tests; or to free memory)."""
    with _lock:
        _loaded.clear()
        _checked.clear()


def _active_version_id(kind: str) -> int | None:
    now = time.monotonic()
    checked = _checked.get(kind)
    if checked is None or now - checked[0] >= RECHECK_SECONDS:
        version_id = ModelVersion.objects.filter(kind=kind, is_active=True).values_list("pk", flat=True).first()
        _checked[kind] = checked = (now, version_id)
    return checked[1]


def _load(version: ModelVersion, tower: str) -> EmbeddingIndex:
    has_ranking = MovieVector.objects.filter(version=version, rank_vector__isnull=False).exists()
    # A CF version trained without a ranking tower ranks with its rating tower.
    ranking = tower == RANKING and has_ranking
    vector_field, bias_field = ("rank_vector", "rank_bias") if ranking else ("vector", "bias")
    rows = list(MovieVector.objects.filter(version=version).order_by("movie_id")
                .values_list("movie_id", vector_field, bias_field))
    movie_ids = np.array([movie for movie, _, _ in rows], dtype=np.int64)
    vectors = np.frombuffer(b"".join(bytes(vector) for _, vector, _ in rows), dtype=np.float32)
    return EmbeddingIndex(movie_ids, vectors.reshape(len(rows), -1), np.array([b for _, _, b in rows], np.float32),
                          global_bias=0.0 if ranking else version.global_bias)
