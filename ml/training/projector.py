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


def default_directory(version: ModelVersion) -> Path:
    return Path(settings.MODEL_DIR) / f"{version.kind}-v{version.pk}" / "projector"


def _cell(text) -> str:
    """A TSV cell: tabs and line breaks in titles would shift the columns."""
    return " ".join(str(text).split())


def export_projector(version: ModelVersion, directory: Path | None = None) -> Path:
    """Write ``vectors.tsv`` and ``metadata.tsv`` of ``version`` into ``directory`` (by default under MODEL_DIR)."""
    directory = Path(directory or default_directory(version))
    directory.mkdir(parents=True, exist_ok=True)
    field = "rank_vector" if version.kind == ModelKind.RATINGS else "vector"
    rows = list(MovieVector.objects.filter(version=version).order_by("movie_id").values_list("movie_id", field,
                                                                                            "vector"))
    movies = Movie.objects.prefetch_related("genres").in_bulk([movie for movie, _, _ in rows])
    with open(directory / "vectors.tsv", "w") as vectors, open(directory / "metadata.tsv", "w") as metadata:
        metadata.write("Title\tYear\tGenres\n")
        for movie_id, vector, fallback in rows:
            values = np.frombuffer(bytes(vector if vector is not None else fallback), dtype=np.float32)
            vectors.write("\t".join(f"{value:.6g}" for value in values) + "\n")
            movie = movies[movie_id]
            genres = "|".join(genre.name for genre in movie.genres.all())
            metadata.write(f"{_cell(movie.title)}\t{movie.year or ''}\t{_cell(genres)}\n")
    return directory
