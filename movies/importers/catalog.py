"""Bringing a release's movies, genres and IMDb/TMDB links into the catalog (create or update)."""
import numpy as np
from django.db import transaction
from django.utils import timezone

from movies.importers.readers import MovieRecord
from movies.models import Genre, Movie

UPDATABLE = ("title", "movielens_title", "year", "imdb_id", "tmdb_id")


@transaction.atomic
def sync_movies(records: list[MovieRecord], links: dict[int, tuple[str | None, int | None]],
                *, key_field: str) -> dict[str, int]:
    """Create new movies, update changed ones, leave the rest alone; returns counts.

    `key_field` is the Movie field holding the release's movie ids. A movie not yet known by its
    id but already in the catalog by IMDb id (say, from Wikipedia) is adopted rather than
    duplicated. IMDb and TMDB ids are unique: an id claimed twice stays with its first claimant.
    """
    key_is_null = {f"{key_field}__isnull": True}
    by_key = {getattr(movie, key_field): movie for movie in Movie.objects.exclude(**key_is_null)}
    adoptable = {movie.imdb_id: movie for movie in Movie.objects.filter(**key_is_null).exclude(imdb_id=None)}
    taken = {"imdb_id": dict(Movie.objects.exclude(imdb_id=None).values_list("imdb_id", "pk")),
             "tmdb_id": dict(Movie.objects.exclude(tmdb_id=None).values_list("tmdb_id", "pk"))}
    counts = {"movies_created": 0, "movies_updated": 0, "movies_unchanged": 0, "duplicate_ids_ignored": 0}
    new, changed, now = [], [], timezone.now()

    for record in records:
        imdb_id, tmdb_id = links.get(record.key, (None, None))
        movie = by_key.get(record.key) or adoptable.pop(imdb_id, None)
        claimant = movie.pk if movie else ("new", record.key)

        def claim(field, value, claimant=claimant):
            if value is not None and taken[field].setdefault(value, claimant) != claimant:
                counts["duplicate_ids_ignored"] += 1
                return None
            return value

        wanted = {"title": record.title, "movielens_title": record.movielens_title, "year": record.year,
                  "imdb_id": claim("imdb_id", imdb_id), "tmdb_id": claim("tmdb_id", tmdb_id), key_field: record.key}
        if movie is None:
            new.append(Movie(**wanted))
        elif any(getattr(movie, field) != value for field, value in wanted.items()):
            for field, value in wanted.items():
                setattr(movie, field, value)
            movie.updated_at = now
            changed.append(movie)
        else:
            counts["movies_unchanged"] += 1

    Movie.objects.bulk_create(new, batch_size=2000)
    Movie.objects.bulk_update(changed, [*UPDATABLE, key_field, "updated_at"], batch_size=2000)
    counts["movies_created"], counts["movies_updated"] = len(new), len(changed)
    sync_genres(records, key_field=key_field)
    return counts


def sync_genres(records: list[MovieRecord], *, key_field: str) -> None:
    """Make each movie's genres exactly those of the release: add the missing links, drop the stale ones."""
    names = {name for record in records for name in record.genres}
    Genre.objects.bulk_create([Genre(name=name) for name in names], ignore_conflicts=True)
    genre_ids = dict(Genre.objects.values_list("name", "pk"))
    movie_ids = dict(Movie.objects.exclude(**{f"{key_field}__isnull": True}).values_list(key_field, "pk"))
    wanted = {(movie_ids[record.key], genre_ids[name]) for record in records for name in record.genres}
    through = Movie.genres.through
    release_movies = [movie_ids[record.key] for record in records]
    current = set()
    for start in range(0, len(release_movies), 5000):
        current |= set(through.objects.filter(movie_id__in=release_movies[start:start + 5000])
                       .values_list("movie_id", "genre_id"))
    stale = current - wanted
    for movie_id, genre_id in stale:
        through.objects.filter(movie_id=movie_id, genre_id=genre_id).delete()
    through.objects.bulk_create([through(movie_id=m, genre_id=g) for m, g in wanted - current], batch_size=5000)


class MovieIds:
    """Maps a release's movie ids to Movie.id through a numpy lookup table (fast for whole blocks)."""

    def __init__(self, key_field: str):
        pairs = list(Movie.objects.exclude(**{f"{key_field}__isnull": True}).values_list(key_field, "pk"))
        self.lookup = np.full(max((key for key, _ in pairs), default=0) + 1, -1, dtype=np.int64)
        for key, pk in pairs:
            self.lookup[key] = pk
        self.key_of_pk = {pk: key for key, pk in pairs}

    def to_movie_ids(self, keys: np.ndarray) -> np.ndarray:
        """Movie.id of each key; -1 where the release's movies file does not list the key."""
        inside = (keys >= 0) & (keys < len(self.lookup))
        return np.where(inside, self.lookup[np.where(inside, keys, 0)], -1)

    def knows(self, key: int) -> bool:
        return 0 <= key < len(self.lookup) and self.lookup[key] >= 0
