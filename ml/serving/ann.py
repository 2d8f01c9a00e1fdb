"""Approximate top-k by inner product for large catalogues: a FAISS inverted-file index (IVF) behind
EmbeddingIndex.

Scoring every movie reads the whole (movies × d) matrix on each call: at ml-32m's 84k movies that is 32 MB and
about 5 ms, over the 2 ms a picks request may take (bench/results/serving_ml-32m.md). The IVF index groups the
vectors around ``n_lists`` k-means centroids and scores only the lists of the ``n_probe`` centroids closest to the
query: about an eighth of the catalogue, for a recall@10 of 0.90–1.0 against the exact answer (measured by
`bench.serving` and `bench.scale --serving-only`). Where few movies are allowed, `EmbeddingIndex.picks` scores
them all instead.
"""
from __future__ import annotations

import functools
import logging
import math

import numpy as np

PROBED_SHARE = 8  # probe 1/8 of the lists
POINTS_PER_CENTROID = 64  # k-means trains on a sample of this many points per list: about 1 s at 84k movies
SEED = 1234


@functools.cache
def _faiss():
    """FAISS, set to one thread: a web process answers one request per thread, as with OPENBLAS_NUM_THREADS=1."""
    # Its loader logs a failed import of a separate AVX2 build at INFO; this wheel dispatches AVX2 at run time.
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)
    import faiss

    faiss.omp_set_num_threads(1)
    return faiss


def lists_for(n: int) -> int:
    """The number of inverted lists for n vectors: the power of two nearest 2·√n (512 at ml-32m's 84k movies)."""
    return max(8, 2 ** round(math.log2(2 * math.sqrt(max(n, 1)))))


class InvertedFileIndex:
    """An IVF index of ``vectors`` (float32, n × d): the rows with the highest inner product with a query.

    Each vector gets one more coordinate, ``√(M² − |v|²)`` with M the largest norm, so that all have norm M, and
    the query a 0 there (Bachrach et al., 2014): inner products stay the same, but the lists are now clusters of
    directions. On the raw vectors, whose norms span three orders of magnitude (popular movies' are long), the
    lists and probes missed most of the best movies: picks' recall@10 on the ml-25m-shaped model was 0.05–0.17,
    and is 0.997 so (measured beside each other on its vectors). Unit vectors (similar movies) are left as they are.
    """

    def __init__(self, vectors: np.ndarray):
        faiss = _faiss()
        self._vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.n, dim = self._vectors.shape
        squared = np.einsum("ij,ij->i", self._vectors, self._vectors)
        lifted = np.hstack([self._vectors, np.sqrt(np.maximum(squared.max() - squared, 0))[:, None]])
        self.n_lists = lists_for(self.n)
        self.n_probe = max(1, self.n_lists // PROBED_SHARE)
        self._quantizer = faiss.IndexFlatIP(dim + 1)  # kept referenced: the IVF index does not own it
        self._index = faiss.IndexIVFFlat(self._quantizer, dim + 1, self.n_lists, faiss.METRIC_INNER_PRODUCT)
        self._index.cp.max_points_per_centroid = POINTS_PER_CENTROID
        self._index.cp.seed = SEED
        lifted = np.ascontiguousarray(lifted, dtype=np.float32)
        self._index.train(lifted)
        self._index.add(lifted)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Up to k (rows, inner products) best first, only rows where ``allowed`` (bool, n) is true, when given.

        With a mask that allows a share s of the rows, the probe widens by 1/√s: the k best allowed rows rank
        deeper in the whole catalogue, and deeper ranks need more lists for the same recall. Fewer than k come
        back when the probed lists hold fewer allowed rows.
        """
        faiss = _faiss()
        query = np.ascontiguousarray(query, dtype=np.float32)
        lifted = np.append(query, np.float32(0.0)).reshape(1, -1)
        if allowed is None:
            bitmap, params = None, faiss.SearchParametersIVF(nprobe=self.n_probe)
        else:
            share = max(int(np.count_nonzero(allowed)), 1) / self.n
            n_probe = min(self.n_lists, math.ceil(self.n_probe / math.sqrt(share)))
            bitmap = np.packbits(allowed, bitorder="little")  # referenced until the search returns: FAISS reads it
            selector = faiss.IDSelectorBitmap(self.n, faiss.swig_ptr(bitmap))
            params = faiss.SearchParametersIVF(sel=selector, nprobe=n_probe)
        _, rows = self._index.search(lifted, k, params=params)
        rows = rows[0][rows[0] >= 0]  # best first
        return rows, self._vectors[rows] @ query  # the scores of the vectors as given
