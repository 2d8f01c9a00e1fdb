"""Fold-in: a user's vector fitted to his current ratings with the movie vectors held fixed, per request, in
milliseconds, so picks follow each rating without a retrain. One function per model (the losses: ml/README.md).
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ml.constants import MIN_RATING, RATING_SPAN, sigmoid
from ml.serving.index import EmbeddingIndex

HESSIAN_SUPPORT = 1024  # movies of highest probability that the ranking fold-in's Hessian is computed on


def _known(index: EmbeddingIndex, movie_ids) -> np.ndarray:
    """A boolean mask over ``movie_ids``: those in the index; and their rows."""
    rows = index.rows(movie_ids)
    return rows >= 0, rows


def _newton(loss, gradient_and_hessian, w: np.ndarray, *, max_steps: int, tol: float) -> np.ndarray:
    """Minimise a convex ``loss(w)`` by (approximate) Newton steps with backtracking."""
    current = loss(w)
    for _ in range(max_steps):
        gradient, hessian = gradient_and_hessian(w)
        step = np.linalg.solve(hessian, gradient)
        t = 1.0
        while True:
            candidate = w - t * step
            new = loss(candidate)
            if new <= current + 1e-9 * (1.0 + abs(current)) or t < 1e-3:
                break
            t *= 0.5
        w, current = candidate, new
        if np.max(np.abs(t * step)) < tol:
            break
    return w


def fold_in_ratings(index: EmbeddingIndex, movie_ids: Iterable[int] | np.ndarray,
                    ratings: Iterable[float] | np.ndarray, *, l2: float, bias_l2: float,
                    max_steps: int = 12, tol: float = 1e-5) -> tuple[np.ndarray, float]:
    """The user's rating-tower vector and bias from his ratings (0.5–5 stars) of ``movie_ids``.

    ``l2`` and ``bias_l2`` are the tower's training penalties. Movies not in the index are ignored; no (known)
    ratings give zeros, the average user.
    """
    known, rows = _known(index, movie_ids)
    targets = np.asarray(list(ratings) if not isinstance(ratings, np.ndarray) else ratings, dtype=np.float64)
    if len(targets) != len(rows):
        raise ValueError(f"{len(rows)} movie ids but {len(targets)} ratings")
    rows, targets = rows[known], targets[known]
    m = len(rows)
    if m == 0:
        return np.zeros(index.dim, np.float32), 0.0
    y = np.clip((targets - MIN_RATING) / RATING_SPAN, 0.0, 1.0)
    x = np.empty((m, index.dim + 1))
    x[:, :-1] = index.vectors[rows]
    x[:, -1] = 1.0  # the user bias is the last weight
    offset = (index.movie_bias[rows] + index.global_bias).astype(np.float64)
    penalty = m * np.append(np.full(index.dim, l2), bias_l2)

    def loss(w):
        return float(np.sum((sigmoid(x @ w + offset) - y) ** 2) + penalty @ (w * w))

    def gradient_and_hessian(w):
        p = sigmoid(x @ w + offset)
        jacobian = x * (p * (1.0 - p))[:, None]
        return 2 * (jacobian.T @ (p - y) + penalty * w), 2 * (jacobian.T @ jacobian + np.diag(penalty))

    w = _newton(loss, gradient_and_hessian, np.zeros(index.dim + 1), max_steps=max_steps, tol=tol)
    return w[:-1].astype(np.float32), float(w[-1])


def fold_in_choices(index: EmbeddingIndex, movie_ids: Iterable[int] | np.ndarray, *, l2: float,
                    start: np.ndarray | None = None, max_steps: int = 8, tol: float = 1e-3) -> np.ndarray:
    """The user's ranking-tower vector from the movies he rated (the softmax tower has no user bias).

    ``l2`` is the tower's training penalty. No (known) movies give the zero vector, whose picks are the movies
    of highest bias: the most chosen ones. Each step costs two passes over the catalog (logits, expectation).
    ``start`` is where the steps start (default zero): the user's vector before his latest ratings needs fewer.
    """
    known, rows = _known(index, movie_ids)
    rows = rows[known]
    if len(rows) == 0:
        return np.zeros(index.dim, np.float32)
    vectors, bias = index.vectors, index.movie_bias
    mean_chosen = vectors[rows].astype(np.float64).mean(axis=0)
    support = min(HESSIAN_SUPPORT, len(index))

    def evaluate(w):
        """The loss at w and the softmax probabilities (float32) it needs."""
        z = vectors @ w.astype(np.float32) + bias
        top = z.max()
        p = np.exp(z - top)
        total = float(p.sum(dtype=np.float64))
        return top + np.log(total) - mean_chosen @ w + l2 * (w @ w), p / np.float32(total)

    w = np.zeros(index.dim) if start is None or len(start) != index.dim else np.asarray(start, np.float64)
    current, p = evaluate(w)
    for _ in range(max_steps):
        gradient = (p @ vectors).astype(np.float64) - mean_chosen + 2 * l2 * w
        heavy = np.argpartition(p, len(p) - support)[len(p) - support:] if support < len(p) else slice(None)
        v, q = vectors[heavy], p[heavy]  # float32: an approximate Hessian in any case, at half the cost
        mean = (q @ v).astype(np.float64)
        hessian = ((v.T * q) @ v).astype(np.float64) - np.outer(mean, mean) + 2 * l2 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        t = 1.0
        while True:  # backtracking on the exact loss; the approximate Hessian's full step almost always does
            candidate = w - t * step
            new, new_p = evaluate(candidate)
            if new <= current + 1e-9 * (1.0 + abs(current)) or t < 1e-3:
                break
            t *= 0.5
        w, current, p = candidate, new, new_p
        if np.max(np.abs(t * step)) < tol:
            break
    return w.astype(np.float32)


def fold_in_sum(index: EmbeddingIndex, movie_ids: Iterable[int] | np.ndarray) -> np.ndarray:
    """The user's vector in a spectral model: the sum of the input vectors of the movies he rated (each once;
    movies not in the index are ignored; none give the zero vector, whose picks are by bias, all zero here)."""
    known, rows = _known(index, movie_ids)
    return index.input_vectors[np.unique(rows[known])].sum(axis=0, dtype=np.float32)


def picks_vector(index: EmbeddingIndex, movie_ids: Iterable[int] | np.ndarray, *, l2: float,
                 start: np.ndarray | None = None) -> np.ndarray:
    """The user's vector for the picks of ``index``'s model: :func:`fold_in_sum` for the spectral model (its index
    has input vectors), else :func:`fold_in_choices` with the tower's ``l2``."""
    if index.input_vectors is not None:
        return fold_in_sum(index, movie_ids)
    return fold_in_choices(index, movie_ids, l2=l2, start=start)
