"""Generated Wikipedia-like links with planted clusters: films of a cluster link to pages of their cluster's pool,
and every film also links to a few pages any film may link to (countries, "film director", ...)."""
from dataclasses import dataclass

import numpy as np


@dataclass
class PlantedLinks:
    movies: np.ndarray  # film index of each pair
    links: np.ndarray  # link index of each pair
    clusters: np.ndarray  # the cluster of each film
    n_movies: int
    n_links: int

    def targets(self) -> list[str]:
        """A page title for each link index: shared pages first, then each cluster's pool."""
        return [f"Page {n}" for n in range(self.n_links)]


def planted_links(n_clusters=8, films_per_cluster=25, pool=40, own_per_film=8, n_shared=30, shared_per_film=8,
                  seed=0) -> PlantedLinks:
    """As many links to shared pages as to the film's own cluster pool: half of each film's links are noise."""
    rng = np.random.default_rng(seed)
    movies, links = [], []
    for cluster in range(n_clusters):
        for film in range(cluster * films_per_cluster, (cluster + 1) * films_per_cluster):
            own = n_shared + cluster * pool + rng.choice(pool, own_per_film, replace=False)
            shared = rng.choice(n_shared, shared_per_film, replace=False)
            targets = np.concatenate([own, shared])
            movies += [film] * len(targets)
            links += targets.tolist()
    n_movies = n_clusters * films_per_cluster
    return PlantedLinks(np.array(movies), np.array(links), np.arange(n_movies) // films_per_cluster, n_movies,
                        n_shared + n_clusters * pool)


def precision_at(k: int, vectors: np.ndarray, clusters: np.ndarray) -> float:
    """Mean share of each film's k nearest neighbours (cosine) that are in its cluster."""
    from ml.serving.index import EmbeddingIndex

    index = EmbeddingIndex(np.arange(len(vectors)), vectors)
    return float(np.mean([np.mean([clusters[other] == clusters[film] for other, _ in index.similar(film, k)])
                          for film in range(len(vectors))]))
