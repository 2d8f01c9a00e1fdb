"""The active model versions as in-memory indexes, loaded once per web process.

`served(kind, tower)` returns the active version of a model kind as an EmbeddingIndex with the version's
training parameters. The process checks which version is active at most every few seconds; when another one has
been activated, the thread that notices loads it while the others go on serving the previous one, so a retrain
finishing never stalls the site. No TensorFlow: vectors are numpy arrays.
"""
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from ml import spectral
from ml.models import ModelKind, ModelVersion, MovieVector
from ml.serving.index import EmbeddingIndex
from movies.importers import bulk

RECHECK_SECONDS = 5.0
RATING, RANKING = "rating", "ranking"  # the two towers of collaborative filtering; link versions have only "rating"
LOAD_CHUNK_ROWS = 2000


@dataclass(frozen=True)
class Served:
    """One tower of the active version of a kind, in memory."""

    version_id: int
    index: EmbeddingIndex
    parameters: dict


@dataclass
class _Ready:
    """The version of a kind this process serves (None: none is active), with the towers it has loaded."""

    version: ModelVersion | None
    checked_at: float
    towers: dict[str, EmbeddingIndex] = field(default_factory=dict)


_ready: dict[str, _Ready] = {}
_locks = {kind: threading.Lock() for kind in ModelKind.values}


def served(kind: str, tower: str = RATING) -> Served | None:
    """The active version of `kind`, one tower of it (None while no version is active)."""
    ready = _ready_version(kind)
    if ready.version is None:
        return None
    index = ready.towers.get(tower)
    if index is None:  # the first request of this process for this tower
        with _locks[kind]:
            index = ready.towers.get(tower)
            if index is None:
                index = ready.towers[tower] = load_index(ready.version, tower)
    return Served(ready.version.pk, index, ready.version.parameters)


def index_for(kind: str, tower: str = RATING) -> EmbeddingIndex | None:
    """The active version's index for `kind` (None while no version is active)."""
    loaded = served(kind, tower)
    return None if loaded is None else loaded.index


def active_versions() -> tuple[int | None, ...]:
    """The version of each kind this process serves (None for a kind without one): what a cached page depends on."""
    return tuple(_version_id(_ready_version(kind)) for kind in ModelKind.values)


def forget() -> None:
    """Drop every loaded index (tests; or to free memory)."""
    _ready.clear()


def _version_id(ready: _Ready | None) -> int | None:
    return None if ready is None or ready.version is None else ready.version.pk


def _ready_version(kind: str) -> _Ready:
    """The version of `kind` to serve now: the active one, or the previous one while another thread loads it."""
    now = time.monotonic()
    ready = _ready.get(kind)
    if ready is not None and now - ready.checked_at < RECHECK_SECONDS:
        return ready
    active_id = ModelVersion.objects.filter(kind=kind, is_active=True).values_list("pk", flat=True).first()
    if ready is not None and _version_id(ready) == active_id:
        ready.checked_at = now
        return ready
    if active_id is None:
        _ready[kind] = ready = _Ready(None, now)
        return ready
    lock = _locks[kind]
    if not lock.acquire(blocking=_version_id(ready) is None):
        return ready  # another thread is loading the new version: the previous one serves meanwhile
    try:
        current = _ready.get(kind)
        if _version_id(current) == active_id:
            return current
        version = ModelVersion.objects.get(pk=active_id)
        # The towers the previous version served, loaded before the switch so no request waits for them.
        towers = {tower: load_index(version, tower) for tower in (current.towers if current else ())}
        _ready[kind] = ready = _Ready(version, time.monotonic(), towers)
        return ready
    finally:
        lock.release()


def load_index(version: ModelVersion, tower: str) -> EmbeddingIndex:
    """One tower of a version, in memory (the spectral picks model's output vectors computed from its inputs)."""
    rows = MovieVector.objects.filter(version=version)
    # A CF version trained without a ranking tower ranks with its rating tower.
    ranking = tower == RANKING and rows.filter(rank_vector__isnull=False).exists()
    vector_field, bias_field = ("rank_vector", "rank_bias") if ranking else ("vector", "bias")
    read = _read_by_copy if connection.vendor == "postgresql" else _read_by_rows
    movie_ids, vectors, biases = read(version, vector_field, bias_field)
    inputs = None
    if ranking and version.parameters.get("rank_model") == "spectral":  # stored: the input vectors
        vectors, inputs = spectral.output_vectors(vectors), vectors
    return EmbeddingIndex(movie_ids, vectors, biases, global_bias=0.0 if ranking else version.global_bias,
                          input_vectors=inputs)


def _read_by_copy(version: ModelVersion, vector_field: str, bias_field: str):
    """The version's movie ids, vectors and biases by one binary COPY, parsed by numpy: 84k movies in a fraction of
    a second, without a Python object per row to hold the process's other threads (the GIL) or fragment its heap."""
    table = MovieVector._meta.db_table
    query = (f"SELECT movie_id, {vector_field}, {bias_field} FROM {table} WHERE version_id = {int(version.pk)}"
             " ORDER BY movie_id")
    with connection.cursor() as cursor:
        rows = bulk.copy_binary_out(cursor, query, ["int", "bytea", "float"])
    dim = rows.dtype["value1"].itemsize // 4
    vectors = np.frombuffer(rows["value1"].tobytes(), np.float32).reshape(len(rows), dim)
    return rows["value0"].astype(np.int64), vectors, rows["value2"].astype(np.float32)


def _read_by_rows(version: ModelVersion, vector_field: str, bias_field: str):
    """As _read_by_copy, through the ORM a few thousand rows at a time (databases other than PostgreSQL)."""
    rows = MovieVector.objects.filter(version=version)
    count = rows.count()
    movie_ids, biases = np.empty(count, np.int64), np.empty(count, np.float32)
    vectors, loaded = np.empty((count, 0), np.float32), 0
    values = rows.order_by("movie_id").values_list("movie_id", vector_field, bias_field)
    for movie_id, vector, bias in values.iterator(chunk_size=LOAD_CHUNK_ROWS):
        if loaded == count:  # a row added since the count (not in practice: a version's vectors are final)
            break
        if loaded == 0:
            vectors = np.empty((count, len(vector) // 4), np.float32)
        movie_ids[loaded], vectors[loaded], biases[loaded] = movie_id, np.frombuffer(vector, np.float32), bias
        loaded += 1
    # Fewer rows than counted when movies were deleted meanwhile.
    return movie_ids[:loaded], vectors[:loaded], biases[:loaded]
