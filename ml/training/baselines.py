"""Non-neural baselines for the quality bars: most popular and EASE (ranking), the global mean (rating).

Each has ``fit(train, catalog) -> self``; ranking models give ``scores(user_indices) -> (n, n_movies)`` and rating
models ``predict(user_indices, movie_indices)``, in catalog indices (see :mod:`ml.training.evaluation`).
"""
from __future__ import annotations

import numpy as np

from ml.training.evaluation import BATCH_CELLS, Catalog, Ratings, UserItems


class MostPopular:
    """Scores every movie by its number of train ratings, the same for every user."""

    def fit(self, train: Ratings, catalog: Catalog) -> MostPopular:
        """Count the train rows of each catalog movie."""
        movies = catalog.index(train)[1]
        self.counts = np.bincount(movies[movies >= 0], minlength=catalog.n_movies).astype(np.float32)
        return self

    def scores(self, users: np.ndarray) -> np.ndarray:
        """The counts, one (read-only, broadcast) row per user."""
        return np.broadcast_to(self.counts, (len(users), len(self.counts)))


class EASE:
    """EASE (Steck 2019): item-item weights in closed form on the binarized train user x movie matrix X.

    ``P = (XᵀX + λI)⁻¹``, ``B = I − P·diag(1/diag(P))`` (so diag(B) = 0); a user's scores are his row of X times B.
    B is kept in float32 (9,742 movies: 380 MB). With fewer users than movies, P comes from the Woodbury identity
    ``(XᵀX + λI)⁻¹ = (I − Xᵀ(XXᵀ + λI)⁻¹X)/λ``: a users x users inverse instead of a movies x movies one.
    """

    def __init__(self, lam: float = 100.0, dtype=np.float32):
        self.lam, self.dtype = lam, dtype

    def fit(self, train: Ratings, catalog: Catalog) -> EASE:
        """Compute B (the constant factor 1/λ of P is left out: B does not depend on it)."""
        self.seen: UserItems = catalog.user_items(train)
        n_users, n = catalog.n_users, catalog.n_movies
        if n_users < n:
            x = self.seen.dense(np.arange(n_users), dtype=np.float64)
            inner = np.linalg.inv(x @ x.T + self.lam * np.eye(n_users)).astype(self.dtype)
            x = x.astype(self.dtype)
            weights = -(x.T @ (inner @ x))
            weights[np.diag_indices(n)] += 1
        else:
            gram = np.zeros((n, n), dtype=self.dtype)
            batch_size = max(1, BATCH_CELLS // max(1, n))
            for start in range(0, n_users, batch_size):
                x = self.seen.dense(np.arange(start, min(start + batch_size, n_users)), dtype=self.dtype)
                gram += x.T @ x
            gram[np.diag_indices(n)] += self.lam
            weights = np.linalg.inv(gram)  # LAPACK works in float64 even for float32 input
            del gram
        weights /= -np.diag(weights).copy()
        np.fill_diagonal(weights, 0)
        self.weights = weights
        return self

    def scores(self, users: np.ndarray) -> np.ndarray:
        """``X[users] @ B``."""
        return self.seen.dense(users, dtype=self.dtype) @ self.weights


class GlobalMean:
    """Predicts the mean train rating for every (user, movie)."""

    def fit(self, train: Ratings, catalog: Catalog | None = None) -> GlobalMean:
        """Average the train ratings."""
        self.mean = float(np.mean(train.values))
        return self

    def predict(self, users: np.ndarray, movies: np.ndarray) -> np.ndarray:
        """The mean, once per pair."""
        return np.full(len(users), self.mean)


class ImplicitALS:
    """Implicit-feedback ALS (Hu, Koren & Volinsky 2008) from the ``implicit`` package, the baseline the issues
    compare our picks and training time with: confidence ``1 + alpha`` on every rated movie, whatever the rating.

    ``implicit`` is a development requirement (benchmarks only). Its BLAS runs one thread and its own loops
    ``threads`` (0: all cores), as its documentation recommends.
    """

    def __init__(self, factors: int = 64, regularization: float = 0.01, alpha: float = 1.0, iterations: int = 15,
                 threads: int = 0, seed: int = 0):
        self.params = dict(factors=factors, regularization=regularization, alpha=alpha, iterations=iterations,
                           num_threads=threads, random_state=seed)

    def fit(self, train: Ratings, catalog: Catalog) -> ImplicitALS:
        """Factor the binarized user × movie matrix of ``train``."""
        import scipy.sparse
        import threadpoolctl
        from implicit.cpu.als import AlternatingLeastSquares

        users, movies = catalog.index(train)
        keep = (users >= 0) & (movies >= 0)
        matrix = scipy.sparse.csr_matrix((np.ones(int(keep.sum()), np.float32), (users[keep], movies[keep])),
                                         shape=(catalog.n_users, catalog.n_movies))
        matrix.data[:] = 1.0  # a movie rated twice by one user is still one choice
        self.model = AlternatingLeastSquares(**self.params, calculate_training_loss=False)
        with threadpoolctl.threadpool_limits(1, "blas"):
            self.model.fit(matrix, show_progress=False)
        return self

    def scores(self, users: np.ndarray) -> np.ndarray:
        """User factors times movie factors."""
        return self.model.user_factors[users] @ self.model.item_factors.T
