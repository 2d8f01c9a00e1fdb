"""The serving index: one model's movie vectors in memory, queried with numpy (similar movies, picks, predicted
ratings), and above ANN_MIN_MOVIES movies with an approximate FAISS index for picks and similar movies
(ml/serving/ann.py). It imports no Django and no TensorFlow, so web processes stay light. Scores: ml/README.md.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ml.constants import rating_from_score
from ml.serving.ann import InvertedFileIndex

# From this many movies up, picks and similar movies are searched approximately: scoring every movie costs more
# than the 2 ms a request may take past about this size (bench/results/serving_ml-32m.md has the sweep).
ANN_MIN_MOVIES = 30_000
# Below this share of the catalogue allowed (a rare genre, a user who rated most movies), picks score the
# allowed movies exactly: there are few of them, and an IVF probe would have to be wide to find k.
EXACT_BELOW_SHARE = 0.125


def _array(values, dtype) -> np.ndarray:
    """A flat array of any iterable (list, set, generator, array)."""
    if isinstance(values, np.ndarray):
        return values.astype(dtype, copy=False).ravel()
    return np.fromiter(values, dtype=dtype)


class EmbeddingIndex:
    """Movie vectors of one model, with what makes queries fast precomputed.

    ``movie_ids`` (int64, unique) are database ids, ``vectors`` a float32 (n × d) array in the same order;
    ``movie_bias`` (n,) and ``global_bias`` are the CF model's biases (zero for the link model); ``input_vectors``
    (n × d), when given, are what a user's vector is the sum of (the spectral picks model). ``approximate``: search
    picks and similar movies with IVF indexes (default: from ANN_MIN_MOVIES movies up); building both takes about
    2 s at 59k–84k movies, which a web process spends while it still serves the previous version.
    """

    def __init__(self, movie_ids: np.ndarray, vectors: np.ndarray, movie_bias: np.ndarray | None = None,
                 global_bias: float = 0.0, input_vectors: np.ndarray | None = None, approximate: bool | None = None):
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
        if approximate is None:
            approximate = n >= ANN_MIN_MOVIES
        self._picks_ann = self._similar_ann = None
        if approximate and n > 0:
            # A score is vector·user + offset: the inner product of [vector, offset] with [user, 1].
            self._picks_ann = InvertedFileIndex(np.hstack([self.vectors, self._offset[:, None]]))
            self._similar_ann = InvertedFileIndex(self._unit)

    @property
    def approximate(self) -> bool:
        """Whether picks and similar movies are searched with the IVF indexes."""
        return self._picks_ann is not None

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

    def _top(self, scores: np.ndarray, k: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k highest finite scores as (movie id, score), best first; -inf marks a movie left out. ``rows``: the
        index rows the scores are of, when not all of them in order."""
        k = min(k, int(np.count_nonzero(scores > -np.inf)))
        if k <= 0:
            return []
        cut = len(scores) - k
        top = np.argpartition(scores, cut)[cut:]  # O(n), then sort only the k winners
        top = top[np.argsort(-scores[top], kind="stable")]
        ids = self.movie_ids[top] if rows is None else self.movie_ids[rows[top]]
        return [(int(movie_id), float(scores[i])) for movie_id, i in zip(ids, top)]

    def _checked_user(self, user_vector) -> np.ndarray:
        user_vector = np.asarray(user_vector, dtype=np.float32)
        if user_vector.shape != (self.dim,):
            raise ValueError(f"user_vector must be ({self.dim},), got {user_vector.shape}")
        return user_vector

    def _checked_mask(self, allowed_mask) -> np.ndarray:
        allowed_mask = np.asarray(allowed_mask, dtype=bool)
        if allowed_mask.shape != (len(self),):
            raise ValueError(f"allowed_mask must be ({len(self)},), got {allowed_mask.shape}")
        return allowed_mask

    def similar(self, movie_id: int, k: int = 10) -> list[tuple[int, float]]:
        """The k movies most similar to ``movie_id`` by cosine, best first, never the movie itself.

        An id not in the index gives an empty list.
        """
        row = self._row(movie_id)
        if row < 0:
            return []
        if self._similar_ann is not None:
            rows, sims = self._similar_ann.search(self._unit[row], k + 1)
            keep = rows != row
            if np.count_nonzero(keep) >= min(k, len(self) - 1):
                return [(int(self.movie_ids[i]), float(s)) for i, s in zip(rows[keep][:k], sims[keep][:k])]
        sims = self._unit @ self._unit[row]
        sims[row] = -np.inf
        return self._top(sims, k)

    def scores_for_user(self, user_vector: np.ndarray, user_bias: float = 0.0) -> np.ndarray:
        """The raw CF scores (logit scale) of all movies for one user, in row order (float32)."""
        scores = self.vectors @ self._checked_user(user_vector)
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
        if self._picks_ann is None:
            scores = self.scores_for_user(user_vector, user_bias)
            if allowed_mask is not None:
                scores[~self._checked_mask(allowed_mask)] = -np.inf
            rows = self.rows(exclude_ids)
            scores[rows[rows >= 0]] = -np.inf
            return self._top(scores, k)
        user_vector = self._checked_user(user_vector)
        allowed = np.ones(len(self), bool) if allowed_mask is None else self._checked_mask(allowed_mask).copy()
        rows = self.rows(exclude_ids)
        allowed[rows[rows >= 0]] = False
        n_allowed = int(np.count_nonzero(allowed))
        if n_allowed >= EXACT_BELOW_SHARE * len(self):
            rows, scores = self._picks_ann.search(np.append(user_vector, np.float32(1.0)), k,
                                                  None if n_allowed == len(self) else allowed)
            if len(rows) >= min(k, n_allowed):
                return [(int(self.movie_ids[i]), float(s) + user_bias) for i, s in zip(rows, scores)]
        rows = np.flatnonzero(allowed)  # few allowed: score just them, exactly
        scores = self.vectors[rows] @ user_vector + self._offset[rows] + np.float32(user_bias)
        return self._top(scores, k, rows)

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
