"""The MovieLens file layouts and how to recognise which one a release uses.

- "csv": ml-latest-small, ml-latest, ml-20m, ml-25m, ml-32m — UTF-8 CSV files with headers.
- "dat": ml-1m, ml-10m — `::`-separated `.dat` files without headers.
- "100k": ml-100k — tab-separated `u.data`, `|`-separated `u.item`, its own item numbering.
"""
from dataclasses import dataclass

from movies.importers.errors import ImportFailed
from movies.importers.sources import DatasetFiles

# ml-100k's genre flags, in the order of its u.genre file (used when u.genre is missing).
ML100K_GENRES = [
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
    "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
]


@dataclass(frozen=True)
class MovieLensFormat:
    name: str
    movies_file: str
    ratings_file: str
    links_file: str | None
    tags_file: str | None
    separator: str  # between fields of the ratings and tags files
    header: tuple[str, ...] | None  # the ratings file's header row, if it has one
    movie_key: str  # the Movie field that holds this format's movie ids

    def text_encodings(self) -> tuple[str, ...]:
        """Encodings to try for text files: CSV releases are UTF-8; older ones were written in Latin-1."""
        return ("utf-8",) if self.name == "csv" else ("utf-8", "latin-1")


CSV = MovieLensFormat("csv", "movies.csv", "ratings.csv", "links.csv", "tags.csv", ",",
                      ("userId", "movieId", "rating", "timestamp"), "movielens_id")
DAT = MovieLensFormat("dat", "movies.dat", "ratings.dat", None, "tags.dat", "::", None, "movielens_id")
ML100K = MovieLensFormat("100k", "u.item", "u.data", None, None, "\t", None, "movielens_100k_id")
FORMATS = (CSV, DAT, ML100K)


def detect_format(files: DatasetFiles) -> MovieLensFormat:
    """The format whose movies and ratings files are present; a clear error if none or only half."""
    present = files.names()
    for fmt in FORMATS:
        if fmt.movies_file in present and fmt.ratings_file in present:
            return fmt
    for fmt in FORMATS:
        found = {fmt.movies_file, fmt.ratings_file} & present
        if found:
            missing = ({fmt.movies_file, fmt.ratings_file} - found).pop()
            raise ImportFailed(f"missing file {missing} (found {found.pop()})", file=files.origin)
    listing = ", ".join(sorted(present)[:10]) or "nothing"
    raise ImportFailed(
        "unknown format: expected movies.csv and ratings.csv (ml-latest, ml-25m…), movies.dat and "
        f"ratings.dat (ml-1m, ml-10m) or u.item and u.data (ml-100k); found {listing}",
        file=files.origin,
    )
