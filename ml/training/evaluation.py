"""The offline evaluation protocol of `EVALUATION.md`: the per-user random split, and the ranking and rating
metrics, computed for batches of users. Usage and conventions: ml/README.md.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

ScoreFn = Callable[[np.ndarray], np.ndarray]
PredictFn = Callable[[np.ndarray, np.ndarray], np.ndarray]

# Cells of the per-batch dense matrices (scores, masks): about 64 MB of float64 scores per batch.
BATCH_CELLS = 1 << 23


@dataclass(frozen=True)
class Ratings:
    """Rating rows in file order: raw user ids, raw movie ids and rating values (parallel arrays)."""

    users: np.ndarray
    movies: np.ndarray
    values: np.ndarray

    @classmethod
    def from_csv(cls, path) -> Ratings:
        """Read a MovieLens ``ratings.csv`` (userId, movieId, rating, ...) keeping the file order."""
        frame = pd.read_csv(path, usecols=["userId", "movieId", "rating"])
        return cls(frame["userId"].to_numpy(np.int64), frame["movieId"].to_numpy(np.int64),
                   frame["rating"].to_numpy(np.float64))

    @classmethod
    def from_lists(cls, users, movies, values=None) -> Ratings:
        """Build from sequences (values default to 1.0); handy in tests."""
        values = np.ones(len(users)) if values is None else values
        return cls(np.asarray(users, np.int64), np.asarray(movies, np.int64), np.asarray(values, np.float64))

    def __len__(self) -> int:
        return len(self.users)

    def subset(self, mask: np.ndarray) -> Ratings:
        """The rows selected by a boolean mask (or index array), in their original order."""
        return Ratings(self.users[mask], self.movies[mask], self.values[mask])


def split_mask(users: np.ndarray, seed: int = 42, ratio: float = 0.75) -> tuple[np.ndarray, np.ndarray]:
    """The protocol's split of rows (in file order) into boolean ``(train_mask, test_mask)``.

    One ``RandomState(seed).rand(n)`` number per row in file order; rows sorted by (user, number); the first
    ``np.round(ratio * n_user_rows)`` rows of each user go to train (half to even: n=6 -> 4, n=2 -> 2).
    """
    users = np.asarray(users)
    train = _split_by_draws(users, np.random.RandomState(seed).rand(len(users)), ratio)
    return train, ~train


def stable_split_ratings(ratings: Ratings, seed: int, ratio: float) -> tuple[Ratings, Ratings]:
    """Like :func:`split_ratings`, but each row's number is a hash of (user, movie, seed), not of its place in the
    file: the same ratings fall on the same side however many ratings were added or removed around them, so that
    versions trained months apart are compared on the rows both held out (ml/guard.py)."""
    key = (ratings.users.astype(np.uint64) << np.uint64(32)) ^ ratings.movies.astype(np.uint64)
    key ^= np.uint64(seed * 0x9E3779B97F4A7C15 % 2**64)
    for shift, multiplier in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB)):  # splitmix64's finalizer
        key = (key ^ (key >> np.uint64(shift))) * np.uint64(multiplier)
    key ^= key >> np.uint64(31)
    train = _split_by_draws(ratings.users, (key >> np.uint64(11)).astype(np.float64) / 2.0**53, ratio)
    return ratings.subset(train), ratings.subset(~train)


def _split_by_draws(users: np.ndarray, draws: np.ndarray, ratio: float) -> np.ndarray:
    """The train mask: each user's rows sorted by their draw, the first ``np.round(ratio * n)`` of them."""
    order = np.lexsort((draws, users))
    _, first, counts = np.unique(users[order], return_index=True, return_counts=True)
    position = np.arange(len(users)) - np.repeat(first, counts)
    train = np.empty(len(users), dtype=bool)
    train[order] = position < np.repeat(np.round(ratio * counts), counts)
    return train


def split_ratings(ratings: Ratings, seed: int = 42, ratio: float = 0.75) -> tuple[Ratings, Ratings]:
    """``(train, test)`` by :func:`split_mask`; the validation split is ``split_ratings(train, 43, 0.8)``."""
    train, test = split_mask(ratings.users, seed, ratio)
    return ratings.subset(train), ratings.subset(test)


@dataclass(frozen=True)
class UserItems:
    """For each catalog user, the catalog movies of his rows (a CSR matrix): rows ``indptr[u]:indptr[u + 1]``."""

    indptr: np.ndarray
    items: np.ndarray
    values: np.ndarray
    n_items: int

    @property
    def n_users(self) -> int:
        """Number of rows (catalog users)."""
        return len(self.indptr) - 1

    def dense(self, users: np.ndarray, dtype=np.float32, binary: bool = True) -> np.ndarray:
        """Dense ``(len(users), n_items)`` rows: 1 (or the rating, when not binary) where the user has a row."""
        users = np.asarray(users, dtype=np.int64)
        starts, lengths = self.indptr[users], self.indptr[users + 1] - self.indptr[users]
        rows = np.repeat(np.arange(len(users)), lengths)
        positions = np.arange(lengths.sum()) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        out = np.zeros((len(users), self.n_items), dtype=dtype)
        out[rows, self.items[positions]] = 1 if binary else self.values[positions]
        return out


@dataclass(frozen=True)
class Catalog:
    """The users and movies present in train; index = position in the sorted raw ids."""

    user_ids: np.ndarray
    movie_ids: np.ndarray

    @classmethod
    def from_ratings(cls, train: Ratings) -> Catalog:
        """The catalog of a training set."""
        return cls(np.unique(train.users), np.unique(train.movies))

    @property
    def n_users(self) -> int:
        """Number of catalog users."""
        return len(self.user_ids)

    @property
    def n_movies(self) -> int:
        """Number of catalog movies."""
        return len(self.movie_ids)

    @staticmethod
    def _lookup(ids: np.ndarray, raw: np.ndarray) -> np.ndarray:
        position = np.searchsorted(ids, raw).clip(max=len(ids) - 1)
        return np.where(ids[position] == raw, position, -1) if len(ids) else np.full(len(raw), -1)

    def index(self, ratings: Ratings) -> tuple[np.ndarray, np.ndarray]:
        """Catalog indices ``(users, movies)`` of each row; -1 for an id not in the catalog."""
        return self._lookup(self.user_ids, ratings.users), self._lookup(self.movie_ids, ratings.movies)

    def user_items(self, ratings: Ratings) -> UserItems:
        """The rows whose user and movie are both in the catalog, as a :class:`UserItems` matrix."""
        users, movies = self.index(ratings)
        keep = (users >= 0) & (movies >= 0)
        order = np.argsort(users[keep], kind="stable")
        indptr = np.concatenate([[0], np.cumsum(np.bincount(users[keep], minlength=self.n_users))])
        return UserItems(indptr, movies[keep][order], ratings.values[keep][order], self.n_movies)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k highest scores of each row, best first; ties go to the lower column index."""
    k = min(k, scores.shape[1])
    kth = -np.partition(-scores, k - 1, axis=1)[:, k - 1 : k]
    above, tied = scores > kth, scores == kth
    chosen = above | (tied & (np.cumsum(tied, axis=1) <= k - above.sum(axis=1, keepdims=True)))
    columns = np.nonzero(chosen)[1].reshape(len(scores), k)
    order = np.argsort(-np.take_along_axis(scores, columns, axis=1), axis=1, kind="stable")
    return np.take_along_axis(columns, order, axis=1)


def ranking_metrics(scores: ScoreFn | np.ndarray, train: Ratings, test: Ratings, k: int = 10,
                    catalog: Catalog | None = None, batch_size: int | None = None) -> dict[str, float]:
    """Mean nDCG@k, precision@k, recall@k and MAP@k over the test users that are in the catalog of train.

    ``scores`` is ``scores(user_indices) -> (len(user_indices), n_movies)`` or a full score matrix. The user's train
    movies are removed, the top k kept (ties: lower catalog index first), and a movie is relevant if it is in the
    user's test rows; n_rel = the user's number of test rows (movies outside the catalog included).
    """
    return ranking_means(per_user_ranking_metrics(scores, train, test, k, catalog, batch_size))


def ranking_means(per_user: dict[str, np.ndarray]) -> dict[str, float]:
    """The means over the users of :func:`per_user_ranking_metrics`' metrics (0 without test users)."""
    return {name: float(values.mean()) if len(values) else 0.0 for name, values in per_user.items() if name != "users"}


def per_user_ranking_metrics(scores: ScoreFn | np.ndarray, train: Ratings, test: Ratings, k: int = 10,
                             catalog: Catalog | None = None, batch_size: int | None = None) -> dict[str, np.ndarray]:
    """The metrics of :func:`ranking_metrics` for each test user (``users``: their catalog indices, ascending), for
    paired comparisons of two models on the same users."""
    catalog = Catalog.from_ratings(train) if catalog is None else catalog
    if not callable(scores):
        matrix = np.asarray(scores)
        scores = matrix.__getitem__
    seen, relevant = catalog.user_items(train), catalog.user_items(test)
    test_users = catalog.index(test)[0]
    n_rel = np.bincount(test_users[test_users >= 0], minlength=catalog.n_users)
    users = np.flatnonzero(n_rel)
    batch_size = batch_size or max(1, BATCH_CELLS // max(1, catalog.n_movies))
    discount = 1 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discount)
    metrics = {name: np.empty(len(users)) for name in ("ndcg", "precision", "recall", "map")}
    for start in range(0, len(users), batch_size):
        batch, rows = users[start : start + batch_size], slice(start, start + batch_size)
        batch_scores = np.array(scores(batch), dtype=np.float64)
        batch_scores[seen.dense(batch, dtype=bool)] = -np.inf
        top = top_k(batch_scores, k)
        hits = np.take_along_axis(relevant.dense(batch, dtype=bool), top, axis=1)
        n_hits, cut = hits.sum(axis=1), np.minimum(k, n_rel[batch])
        ranks = np.arange(1, top.shape[1] + 1)
        metrics["ndcg"][rows] = (hits @ discount[: top.shape[1]]) / ideal[cut - 1]
        metrics["precision"][rows] = n_hits / k
        metrics["recall"][rows] = n_hits / n_rel[batch]
        metrics["map"][rows] = (hits * np.cumsum(hits, axis=1) / ranks).sum(axis=1) / cut
    return {"users": users, **metrics}


def rating_metrics(predict: PredictFn, train: Ratings, test: Ratings,
                   catalog: Catalog | None = None) -> dict[str, float]:
    """RMSE and MAE of ``predict(user_indices, movie_indices)`` over the test rows whose user and movie are in train."""
    catalog = Catalog.from_ratings(train) if catalog is None else catalog
    users, movies = catalog.index(test)
    keep = (users >= 0) & (movies >= 0)
    errors = np.asarray(predict(users[keep], movies[keep]), dtype=np.float64) - test.values[keep]
    return dict(rmse=float(np.sqrt(np.mean(errors**2))), mae=float(np.mean(np.abs(errors))))
