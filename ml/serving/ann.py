"""Approximate top-k by inner product for large catalogues: a FAISS inverted-file index (IVF) behind
EmbeddingIndex.

Scoring every movie reads the whole (movies × d) matrix on each call: at ml-32m's 84k movies that is 32 MB and
about 5 ms, over the 2 ms a picks request may take (bench/results/serving_ml-32m.md). The IVF index groups the
vectors around ``n_lists`` k-means centroids and scores only the lists of the ``n_probe`` centroids closest to the
query: an eighth of the catalogue, for a recall@10 of about 0.99 against the exact answer (measured by
`bench.serving` and `bench.scale`). Callers that need every qualifying movie ranked exactly (few movies allowed)
fall back to scoring them all; see `EmbeddingIndex.picks`.
"""
from __future__ import annotations

import functools
import math

import numpy as np

PROBED_SHARE = 8  # probe 1/8 of the lists: recall@10 ≈ 0.99 on the spectral model's vectors
POINTS_PER_CENTROID = 64  # k-means trains on a sample of this many points per list: about 1 s at 84k movies
SEED = 1234


@functools.cache
def _faiss():
    """FAISS, set to one thread: a web process answers one request per thread, as with OPENBLAS_NUM_THREADS=1."""
    import faiss

    faiss.omp_set_num_threads(1)
    return faiss


def lists_for(n: int) -> int:
    """The number of inverted lists for n vectors: the power of two nearest 2·√n (512 at ml-32m's 84k movies)."""
    return max(8, 2 ** round(math.log2(2 * math.sqrt(max(n, 1)))))


class InvertedFileIndex:
    """An IVF index of ``vectors`` (float32, n × d): the rows with the highest inner product with a query."""

    def __init__(self, vectors: np.ndarray):
        faiss = _faiss()
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.n, dim = vectors.shape
        self.n_lists = lists_for(self.n)
        self.n_probe = max(1, self.n_lists // PROBED_SHARE)
        self._quantizer = faiss.IndexFlatIP(dim)  # kept referenced: the IVF index does not own it
        self._index = faiss.IndexIVFFlat(self._quantizer, dim, self.n_lists, faiss.METRIC_INNER_PRODUCT)
        self._index.cp.max_points_per_centroid = POINTS_PER_CENTROID
        self._index.cp.seed = SEED
        self._index.train(vectors)
        self._index.add(vectors)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Up to k (rows, inner products) best first, only rows where ``allowed`` (bool, n) is true, when given.

        With a mask that allows a share s of the rows, the probe widens by 1/√s: the k best allowed rows rank
        deeper in the whole catalogue, and deeper ranks need more lists for the same recall. Fewer than k come
        back when the probed lists hold fewer allowed rows.
        """
        faiss = _faiss()
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if allowed is None:
            bitmap, params = None, faiss.SearchParametersIVF(nprobe=self.n_probe)
        else:
            share = max(int(np.count_nonzero(allowed)), 1) / self.n
            n_probe = min(self.n_lists, math.ceil(self.n_probe / math.sqrt(share)))
            bitmap = np.packbits(allowed, bitorder="little")  # referenced until the search returns: FAISS reads it
            selector = faiss.IDSelectorBitmap(self.n, faiss.swig_ptr(bitmap))
            params = faiss.SearchParametersIVF(sel=selector, nprobe=n_probe)
        scores, rows = self._index.search(query, k, params=params)
        found = rows[0] >= 0
        return rows[0][found], scores[0][found]
