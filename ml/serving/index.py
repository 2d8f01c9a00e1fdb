"""The serving index: one model's movie vectors in memory, queried with numpy only (similar movies, picks,
predicted ratings). It imports no Django and no TensorFlow, so web processes stay light. Scores: ml/README.md.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ml.constants import rating_from_score


def _array(values, dtype) -> np.ndarray:
    """A flat array of any iterable (list, set, generator, array)."""
    if isinstance(values, np.ndarray):
        return values.astype(dtype, copy=False).ravel()
    return np.fromiter(values, dtype=dtype)


class EmbeddingIndex:
    """Movie vectors of one model, with what makes queries fast precomputed.

    ``movie_ids`` (int64, unique) are database ids, ``vectors`` a float32 (n × d) array in the same order;
    ``movie_bias`` (n,) and ``global_bias`` are the CF model's biases (zero for the link model); ``input_vectors``
    (n × d), when given, are what a user's vector is the sum of (the spectral picks model).
    """

    def __init__(self, movie_ids: np.ndarray, vectors: np.ndarray, movie_bias: np.ndarray | None = None,
                 global_bias: float = 0.0, input_vectors: np.ndarray | None = None):
        self.movie_ids = np.asarray(movie_ids, dtype=np.int64)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n = len(self.movie_ids)
        if self.vectors.ndim != 2 or len(self.vectors) != n:
            raise ValueError(f"vectors must be ({n} × d), got {self.vectors.shape}")
        self.movie_bias = (np.zeros(n, np.float32) if movie_bias is None
                           else np.ascontiguousarray(movie_bias, dtype=np.float32))
        if self.movie_bias.shape != (n,):
            raise ValueError(f"movie_bias must be ({n},), got {self.movie_bias.shape}")
        self.global_bias = float(global_bias)
        # A model whose user vector is the sum of his movies' input vectors (ml/spectral.py) has them here.
        self.input_vectors = None if input_vectors is None else np.ascontiguousarray(input_vectors, np.float32)

        # id → row: binary search in the sorted ids (vectorised, no Python dict of 60k entries).
        self._order = np.argsort(self.movie_ids, kind="stable")
        self._sorted_ids = self.movie_ids[self._order]
        if n > 1 and np.any(self._sorted_ids[1:] == self._sorted_ids[:-1]):
            raise ValueError("movie_ids must be unique")
        norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0  # a zero vector stays zero: similarity 0 to everything
        self._unit = self.vectors / norms
        self._offset = self.movie_bias + np.float32(self.global_bias)

    def __len__(self) -> int:
        return len(self.movie_ids)

    @property
    def dim(self) -> int:
        """The number of dimensions d of the vectors."""
        return self.vectors.shape[1]

    def rows(self, movie_ids: Iterable[int] | np.ndarray) -> np.ndarray:
        """The rows of the given movie ids, -1 for ids not in the index."""
        ids = _array(movie_ids, np.int64)
        if len(self) == 0:
            return np.full(len(ids), -1, np.int64)
        pos = np.minimum(np.searchsorted(self._sorted_ids, ids), len(self) - 1)
        return np.where(self._sorted_ids[pos] == ids, self._order[pos], -1)

    def mask(self, movie_ids: Iterable[int] | np.ndarray) -> np.ndarray:
        """A boolean mask over the index's movies, true for the given ids (e.g. the movies of a genre)."""
        rows = self.rows(movie_ids)
        mask = np.zeros(len(self), dtype=bool)
        mask[rows[rows >= 0]] = True
        return mask

    def _row(self, movie_id: int) -> int:
        return int(self.rows(np.array([movie_id]))[0])

    def _top(self, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k highest finite scores as (movie id, score), best first; -inf marks a movie left out."""
        k = min(k, int(np.count_nonzero(scores > -np.inf)))
        if k <= 0:
            return []
        cut = len(scores) - k
        top = np.argpartition(scores, cut)[cut:]  # O(n), then sort only the k winners
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self.movie_ids[i]), float(scores[i])) for i in top]

    def similar(self, movie_id: int, k: int = 10) -> list[tuple[int, float]]:
        """The k movies most similar to ``movie_id`` by cosine, best first, never the movie itself.

        An id not in the index gives an empty list.
        """
        row = self._row(movie_id)
        if row < 0:
            return []
        sims = self._unit @ self._unit[row]
        sims[row] = -np.inf
        return self._top(sims, k)

    def scores_for_user(self, user_vector: np.ndarray, user_bias: float = 0.0) -> np.ndarray:
        """The raw CF scores (logit scale) of all movies for one user, in row order (float32)."""
        user_vector = np.asarray(user_vector, dtype=np.float32)
        if user_vector.shape != (self.dim,):
            raise ValueError(f"user_vector must be ({self.dim},), got {user_vector.shape}")
        scores = self.vectors @ user_vector
        scores += self._offset
        scores += np.float32(user_bias)
        return scores

    def picks(self, user_vector: np.ndarray, *, user_bias: float = 0.0, exclude_ids: Iterable[int] = (),
              k: int = 10, allowed_mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The user's k best-scored movies as (movie id, raw score), best first.

        Never a movie of ``exclude_ids`` (the movies he has rated); only movies where ``allowed_mask`` (a boolean
        array over the rows, see :meth:`mask`) is true, when given. Fewer than k when fewer movies qualify.
        Convert a score to stars with :func:`rating_from_score`.
        """
        scores = self.scores_for_user(user_vector, user_bias)
        if allowed_mask is not None:
            allowed_mask = np.asarray(allowed_mask, dtype=bool)
            if allowed_mask.shape != scores.shape:
                raise ValueError(f"allowed_mask must be ({len(self)},), got {allowed_mask.shape}")
            scores[~allowed_mask] = -np.inf
        rows = self.rows(exclude_ids)
        scores[rows[rows >= 0]] = -np.inf
        return self._top(scores, k)

    def predict_rating(self, user_vector: np.ndarray, user_bias: float, movie_id: int) -> float | None:
        """The predicted rating (0.5–5) of one movie for one user; None if the movie is not in the index."""
        row = self._row(movie_id)
        if row < 0:
            return None
        score = float(self.vectors[row] @ np.asarray(user_vector, dtype=np.float32)) + self._offset[row] + user_bias
        return float(rating_from_score(score))

    def closest(self, movie_ids: Iterable[int] | np.ndarray, among_ids: Iterable[int] | np.ndarray) -> list[int | None]:
        """For each of ``movie_ids``, the most cosine-similar movie of ``among_ids`` (None if there is none)."""
        rows, among = self.rows(movie_ids), self.rows(among_ids)
        among = among[among >= 0]
        if len(among) == 0:
            return [None] * len(rows)
        best = np.argmax(self._unit[np.maximum(rows, 0)] @ self._unit[among].T, axis=1)
        return [int(self.movie_ids[among[b]]) if row >= 0 else None for row, b in zip(rows, best)]
