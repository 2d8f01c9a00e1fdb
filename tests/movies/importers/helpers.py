"""Helpers for importer tests: reading generated files back, and snapshots of the database."""
import csv
from pathlib import Path

from movies.models import Genre, ImportJob, Movie, MovieLensAccount, Rating, Tag


def snapshot() -> dict:
    """Every row an import may touch, to compare the database before and after."""
    return {
        "movies": sorted(Movie.objects.values_list("id", "title", "movielens_title", "year", "movielens_id",
                                                   "movielens_100k_id", "imdb_id", "tmdb_id", "updated_at")),
        "genres": sorted(Genre.objects.values_list("id", "name")),
        "movie_genres": sorted(Movie.genres.through.objects.values_list("movie_id", "genre_id")),
        "accounts": sorted(MovieLensAccount.objects.values_list("user_id", "dataset", "movielens_id")),
        "ratings": sorted(Rating.objects.values_list("id", "user_id", "movie_id", "value", "rated_at")),
        "tags": sorted(Tag.objects.values_list("id", "user_id", "movie_id", "text", "tagged_at")),
    }


def table_counts() -> dict:
    return {model.__name__: model.objects.count() for model in (Movie, Genre, MovieLensAccount, Rating, Tag)}


def read_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def replace_line(path: Path, line_number: int, text: str, encoding: str = "utf-8") -> None:
    """Overwrite one line (1-based) of a text file."""
    lines = path.read_text(encoding=encoding).split("\n")
    lines[line_number - 1] = text
    path.write_text("\n".join(lines), encoding=encoding)


__all__ = ["ImportJob", "read_rows", "replace_line", "snapshot", "table_counts", "write_rows"]
