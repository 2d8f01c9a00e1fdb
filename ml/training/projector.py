"""Export a version's movie embeddings for the TensorFlow Embedding Projector (projector.tensorflow.org).

Two files the projector loads side by side: ``vectors.tsv`` (one movie per line, its vector's values separated
by tabs) and ``metadata.tsv`` (a header, then each movie's title, year and genres, in the same order). For a CF
version the vectors are those of its ranking tower, which the "viewers also liked" lists use.
"""
from pathlib import Path

import numpy as np
from django.conf import settings

from ml.models import ModelKind, ModelVersion, MovieVector
from movies.models import Movie

EXPORT_CHUNK_ROWS = 5000


def default_directory(version: ModelVersion) -> Path:
    return Path(settings.MODEL_DIR) / f"{version.kind}-v{version.pk}" / "projector"


def _cell(text) -> str:
    """A TSV cell: tabs and line breaks in titles would shift the columns."""
    return " ".join(str(text).split())


def export_projector(version: ModelVersion, directory: Path | None = None) -> Path:
    """Write ``vectors.tsv`` and ``metadata.tsv`` of ``version`` into ``directory`` (by default under MODEL_DIR).

    From plain rows, not model instances: it runs at the end of every retrain, beside the site, and an object per
    movie (with its genres prefetched) made it the costliest of the run's last stages for the pages' latency
    (bench/results/load_without_sched_idle.md)."""
    directory = Path(directory or default_directory(version))
    directory.mkdir(parents=True, exist_ok=True)
    field = "rank_vector" if version.kind == ModelKind.RATINGS else "vector"
    rows = MovieVector.objects.filter(version=version).order_by("movie_id").values_list("movie_id", field, "vector")
    ids, vectors = [], []
    for movie_id, vector, fallback in rows.iterator(chunk_size=EXPORT_CHUNK_ROWS):
        ids.append(movie_id)
        vectors.append(np.frombuffer(bytes(vector if vector is not None else fallback), dtype=np.float32))
    in_version = Movie.objects.filter(pk__in=MovieVector.objects.filter(version=version).values("movie_id"))
    details = {pk: (title, year) for pk, title, year in in_version.values_list("pk", "title", "year")}
    genres: dict[int, list[str]] = {}
    for movie_id, name in (Movie.genres.through.objects.filter(movie__in=in_version)
                           .order_by("genre__name").values_list("movie_id", "genre__name")):
        genres.setdefault(movie_id, []).append(name)
    with open(directory / "vectors.tsv", "w") as out:
        if vectors:
            np.savetxt(out, np.vstack(vectors), fmt="%.6g", delimiter="\t")
    with open(directory / "metadata.tsv", "w") as out:
        out.write("Title\tYear\tGenres\n")
        for movie_id in ids:
            title, year = details[movie_id]
            out.write(f"{_cell(title)}\t{year or ''}\t{_cell('|'.join(genres.get(movie_id, ())))}\n")
    return directory
