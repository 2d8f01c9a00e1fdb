"""The picks model: EASE (Steck 2019) written as movie embeddings, so that a user's vector is the sum of his
movies' input vectors. numpy and scipy only: trained in workers, its serving half (:func:`output_vectors`) runs in
web processes. The derivation: ml/README.md.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

POWER_ITERATIONS = 3  # of the randomized range finder; each costs two passes over the ratings
OVERSAMPLING = 20


@dataclass(frozen=True)
class Spectrum:
    """The top singular values ``s`` and right singular vectors ``v`` (movies × rank) of a binarized X."""

    s: np.ndarray
    v: np.ndarray

    def shrink(self, lam: float) -> np.ndarray:
        """``√(Λ / (Λ + λ))``, each direction's factor in the input vectors (and so in the users' sums)."""
        return np.sqrt(self.s**2 / (self.s**2 + lam)).astype(np.float32)

    def input_vectors(self, lam: float) -> np.ndarray:
        """The movies' input vectors ``w = √(Λ / (Λ + λ)) · v`` (float32, movies × rank)."""
        return (self.v * self.shrink(lam)).astype(np.float32)


def spectrum(users: np.ndarray, movies: np.ndarray, n_users: int, n_movies: int, *, rank: int,
             seed: int = 0) -> Spectrum:
    """The decomposition of the binarized user × movie matrix of the rows ``(users[i], movies[i])``: exact when
    it has at most ``rank`` users or movies (then every direction is kept), else the ``rank`` strongest."""
    import scipy.sparse

    x = scipy.sparse.csr_matrix((np.ones(len(users), np.float32), (users, movies)), shape=(n_users, n_movies))
    x.data[:] = 1.0  # a movie rated twice by one user is one choice
    if min(n_users, n_movies) <= rank:
        _, s, vt = np.linalg.svd(x.toarray(), full_matrices=False)
        return Spectrum(s.astype(np.float32), np.ascontiguousarray(vt.T, dtype=np.float32))
    xt = x.T.tocsr()
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(xt @ (x @ rng.standard_normal((n_movies, rank + OVERSAMPLING), dtype=np.float32)))[0]
    for _ in range(POWER_ITERATIONS):
        basis = np.linalg.qr(xt @ (x @ basis))[0]
    _, s, wt = np.linalg.svd(x @ basis, full_matrices=False)
    v = basis @ wt.T
    return Spectrum(s[:rank].astype(np.float32), np.ascontiguousarray(v[:, :rank], dtype=np.float32))


def output_vectors(input_vectors: np.ndarray) -> np.ndarray:
    """The movies' output vectors ``w_j / (1 − |w_j|²)``: a user's scores are his vector (the sum of his movies'
    input vectors) times these. ``1 − |w_j|² = λ·P_jj`` lies in (0, 1]."""
    w = np.asarray(input_vectors, np.float32)
    return w / np.maximum(1.0 - np.einsum("ij,ij->i", w, w), 1e-6)[:, None]


def user_vectors(users: np.ndarray, movies: np.ndarray, n_users: int, input_vectors: np.ndarray) -> np.ndarray:
    """Each user's vector: the sum of the input vectors of the movies he rated (once each)."""
    import scipy.sparse

    x = scipy.sparse.csr_matrix((np.ones(len(users), np.float32), (users, movies)),
                                shape=(n_users, len(input_vectors)))
    x.data[:] = 1.0
    return np.asarray(x @ input_vectors, dtype=np.float32)
