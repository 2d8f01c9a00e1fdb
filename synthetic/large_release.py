"""A MovieLens release shaped like ml-25m (its users' activity, Zipf-like popularity, star shares, ids with gaps)
at any number of ratings, written fast enough for 25 million: the import benchmark's data (bench/import_movielens.py).
Titles and tags are plain; the planted taste groups of movielens.py are not needed to time an import."""
import csv
from pathlib import Path

import numpy as np
import pandas as pd

# Shape of the generated release, after ml-25m (25,000,095 ratings by 162,541 users of 59,047 movies).
USERS_PER_25M = 162_000
MOVIES = 59_000
LARGEST_MOVIE_ID = 209_171  # ml-25m's movieIds run up to here, with gaps
MIN_PER_USER = 20  # MovieLens keeps only users with at least 20 ratings
MAX_PER_USER = 8_000
TAGS = 5_000
FIRST_TIMESTAMP = 789_652_009  # 1995-01-09, the first rating of ml-25m
LAST_TIMESTAMP = 1_574_327_703  # 2019-11-21, its last
STARS = np.arange(1, 11) / 2  # 0.5 ... 5.0
STAR_SHARES = np.array([1.6, 3.1, 1.6, 6.6, 5.0, 19.6, 12.6, 26.6, 8.8, 14.5]) / 100  # roughly ml-25m's
GENRES = ["Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
          "Film-Noir", "Horror", "IMAX", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"]
TAG_WORDS = ["atmospheric", "funny", "twist ending", "based on a book", "dark comedy", "visually appealing",
             "Oscar (Best Picture)", "sci-fi", "classic", "thought-provoking", "slow, but worth it", "soundtrack"]
GENERATOR_VERSION = 1  # bump when the generated files change, so that old releases are not reused
WRITE_CHUNK = 1_000_000


def generate_release(folder: Path, params: dict) -> None:
    """Write movies.csv, links.csv, ratings.csv and tags.csv shaped like ml-25m's."""
    rng = np.random.default_rng(params["seed"])
    movie_ids = np.sort(rng.choice(LARGEST_MOVIE_ID, size=params["movies"], replace=False) + 1)
    write_movies(folder / "movies.csv", rng, movie_ids)
    write_links(folder / "links.csv", rng, movie_ids)

    per_user = ratings_per_user(rng, params["users"], params["ratings"])
    popularity = 1.0 / (rng.permutation(len(movie_ids)) + 30.0)  # Zipf-like, popular movies spread over the ids
    pairs = distinct_pairs(rng, per_user, popularity / popularity.sum())
    users = pairs // len(movie_ids)
    movies = movie_ids[pairs % len(movie_ids)]
    del pairs
    stars = rng.choice(STARS, size=len(users), p=STAR_SHARES)
    timestamps = rating_timestamps(rng, users, params["users"])
    write_ratings(folder / "ratings.csv", users + 1, movies, stars, timestamps)
    write_tags(folder / "tags.csv", rng, users + 1, movies, timestamps, params["tags"])


def ratings_per_user(rng: np.random.Generator, users: int, ratings: int) -> np.ndarray:
    """How many ratings each user gives: at least 20, a long tail (log-normal), summing exactly to RATINGS."""
    floor = min(MIN_PER_USER, ratings // users)
    extra = rng.lognormal(0.0, 1.2, users)
    counts = floor + np.floor(extra / extra.sum() * (ratings - floor * users)).astype(np.int64)
    counts = np.minimum(counts, MAX_PER_USER)
    while counts.sum() < ratings:  # hand out what rounding and the cap left over, one rating at a time
        open_users = np.flatnonzero(counts < MAX_PER_USER)
        np.add.at(counts, rng.choice(open_users, size=ratings - counts.sum()), 1)
        counts = np.minimum(counts, MAX_PER_USER)
    return counts


def distinct_pairs(rng: np.random.Generator, per_user: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Sorted keys user * movies + movie: PER_USER[u] distinct movies for each user u, drawn by WEIGHTS.

    Draws with replacement, drops the repeats, and draws again what each user still lacks until
    none lacks anything (after a few rounds, uniformly, so that heavy users of popular movies finish).
    """
    movies = len(weights)
    keys = np.empty(0, dtype=np.int64)
    for round_number in range(100):
        lacking = per_user - np.bincount(keys // movies, minlength=len(per_user))
        if not lacking.any():
            return keys
        users = np.repeat(np.arange(len(per_user), dtype=np.int64), lacking)
        if round_number < 5:
            drawn = rng.choice(movies, size=len(users), p=weights)
        else:
            drawn = rng.integers(0, movies, size=len(users))
        keys = sorted_distinct(np.concatenate([keys, users * movies + drawn]))
    raise RuntimeError("could not draw distinct movies for every user")


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """np.unique, written out: sort, keep each value's first copy (np.unique is ~60x slower here)."""
    values = np.sort(values)
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def rating_timestamps(rng: np.random.Generator, users: np.ndarray, user_count: int) -> np.ndarray:
    """Unix times: each user is active over a span (mostly months) somewhere between 1995 and 2019."""
    first = rng.integers(FIRST_TIMESTAMP, LAST_TIMESTAMP - 86_400, size=user_count)
    span = np.minimum(rng.exponential(180 * 86_400, size=user_count), LAST_TIMESTAMP - first)
    return first[users] + (rng.random(len(users)) * span[users]).astype(np.int64)


def write_movies(path: Path, rng: np.random.Generator, movie_ids: np.ndarray) -> None:
    """movies.csv: `movieId,title,genres`, titles like `Movie 123 (1999)`, one to three genres."""
    years = rng.integers(1902, 2020, size=len(movie_ids))
    genre_counts = rng.integers(0, 4, size=len(movie_ids))
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["movieId", "title", "genres"])
        for movie_id, year, count in zip(movie_ids.tolist(), years.tolist(), genre_counts.tolist()):
            genres = "|".join(rng.choice(GENRES, size=count, replace=False)) if count else "(no genres listed)"
            writer.writerow([movie_id, f"Movie {movie_id} ({year})", genres])


def write_links(path: Path, rng: np.random.Generator, movie_ids: np.ndarray) -> None:
    """links.csv: `movieId,imdbId,tmdbId`, IMDb ids as 7 zero-padded digits; both ids unique."""
    imdb_ids = rng.choice(9_999_999, size=len(movie_ids), replace=False) + 1
    tmdb_ids = rng.choice(999_999, size=len(movie_ids), replace=False) + 1
    with open(path, "w", encoding="utf-8") as file:
        file.write("movieId,imdbId,tmdbId\n")
        for movie_id, imdb_id, tmdb_id in zip(movie_ids.tolist(), imdb_ids.tolist(), tmdb_ids.tolist()):
            file.write(f"{movie_id},{imdb_id:07d},{tmdb_id}\n")


def write_ratings(path: Path, users: np.ndarray, movies: np.ndarray, stars: np.ndarray,
                  timestamps: np.ndarray) -> None:
    """ratings.csv: `userId,movieId,rating,timestamp`, ratings written like 3.5 and 4.0, in chunks."""
    with open(path, "w", newline="", encoding="ascii") as file:
        for start in range(0, len(users), WRITE_CHUNK):
            part = slice(start, start + WRITE_CHUNK)
            frame = pd.DataFrame({"userId": users[part], "movieId": movies[part], "rating": stars[part],
                                  "timestamp": timestamps[part]})
            frame.to_csv(file, header=start == 0, index=False, float_format="%.1f", lineterminator="\n")


def write_tags(path: Path, rng: np.random.Generator, users: np.ndarray, movies: np.ndarray,
               timestamps: np.ndarray, count: int) -> None:
    """tags.csv: `userId,movieId,tag,timestamp` on movies the user rated, a little after the rating."""
    rows = np.sort(rng.choice(len(users), size=min(count, len(users)), replace=False))
    words = rng.choice(TAG_WORDS, size=len(rows))
    later = timestamps[rows] + rng.integers(0, 3_600, size=len(rows))
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["userId", "movieId", "tag", "timestamp"])
        writer.writerows(zip(users[rows].tolist(), movies[rows].tolist(), words.tolist(), later.tolist()))
