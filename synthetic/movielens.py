"""Synthetic MovieLens data with a planted taste structure, for tests and the offline demo.

Users and movies each belong to one of ``n_groups`` taste groups, and a movie's genres tell its
group (group 0 is Horror/Thriller/Mystery, 1 is Comedy/Romance, ...; past eight groups the genre
sets repeat). Each user rates movies mostly from their own group, high, and a few from the others,
low. Popularity within a group is Zipf-like, so some movies are rated far more often than others.

The files copy the real releases byte for byte in layout, separators, quoting and encoding:

* ``"csv"``: ml-latest-small / ml-25m (``movies.csv``, ``ratings.csv``, ``links.csv``, ``tags.csv``,
  ``README.txt``), UTF-8, sparse movie ids, half-star ratings written ``4.0``.
* ``"dat"``: ml-10m (``movies.dat``, ``ratings.dat``, ``tags.dat``), ``::``-separated, Latin-1,
  half-star ratings written ``4`` and ``4.5``.
* ``"100k"``: ml-100k (``u.data``, ``u.item``, ``u.genre``), Latin-1, item ids 1..n, whole stars,
  ``u.data`` in no particular order.

Titles carry MovieLens' quirks: a year in brackets, leading articles moved to the end
(``Harbor, The (1994)``), accented letters, commas and double quotes.
"""
import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FORMATS = ("csv", "dat", "100k")
FILES = {"csv": ("movies.csv", "ratings.csv", "links.csv", "tags.csv", "README.txt"),
         "dat": ("movies.dat", "ratings.dat", "tags.dat"),
         "100k": ("u.data", "u.item", "u.genre")}

# Genres of each taste group, primary genre first. Groups past the eighth reuse these.
GROUP_GENRES = (
    ("Horror", "Thriller", "Mystery"),
    ("Comedy", "Romance"),
    ("Action", "Adventure", "Sci-Fi"),
    ("Animation", "Children", "Fantasy", "Musical"),
    ("Drama", "War"),
    ("Crime", "Film-Noir"),
    ("Documentary",),
    ("Western",),
)
NO_GENRES = "(no genres listed)"

# The 19 genres of ml-100k, in the order of its u.genre file.
GENRES_100K = ("unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
               "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller",
               "War", "Western")

GROUP_TAGS = (
    ("atmospheric", "jump scares", "creepy", "twist ending", "dark, disturbing"),
    ("funny", "feel-good", "romantic", "witty dialogue", "quirky, charming"),
    ("action-packed", "great effects", "space", "fast-paced", "dumb, but fun"),
    ("family", "cute", "magical", "great soundtrack", "for kids, and adults"),
    ("moving", "based on a true story", "war", "slow, beautiful", "oscar (best picture)"),
    ("heist", "noir", "gangsters", "nonlinear", "stylish, violent"),
    ("informative", "eye-opening", "interviews", "true story", "music"),
    ("gunfights", "cowboys", "desert", "spaghetti western", "revenge"),
)
COMMON_TAGS = ("seen at the cinema", "In Netflix queue", "très bien", "overrated", "classic")

_ADJECTIVES = ("Dark", "Last", "Silent", "Broken", "Golden", "Midnight", "Hidden", "Crimson", "Lonely", "Wild",
               "Secret", "Eternal", "Frozen", "Burning", "Lost", "Distant", "Quiet", "Savage", "Bright", "Final",
               "Little", "Endless", "Hollow", "Scarlet", "Restless", "Painted", "Velvet", "Iron", "Paper", "Electric")
_NOUNS = ("Harbor", "Summer", "River", "Garden", "Empire", "Station", "Promise", "Mirror", "Island", "Letter",
          "Voyage", "Kingdom", "Shadow", "Road", "House", "Winter", "Horizon", "Witness", "Stranger", "Mountain",
          "Dream", "Valley", "Signal", "Frontier", "Orchard", "Carnival", "Lighthouse", "Detective", "Circus", "Storm")
_NAMES = ("Maggie", "Charlie", "Nobody", "Jack", "Rosa", "Billy", "Anna", "Max")
_ABSTRACT = ("Love", "Death", "Money", "Blood", "Honor", "Guns", "Lies", "Smoke", "Sugar", "Thunder")
_FOREIGN = (("La", "Nuit Étoilée"), ("Le", "Château des Rêves"), ("El", "Niño del Mar"), ("Das", "Schöne Haus"),
            ("Die", "Königin der Nacht"), ("Les", "Misérables du Nord"), ("", "Café Noir"), ("", "Señorita Luz"),
            ("", "Été Brûlant"), ("", "Mädchen im Regen"), ("La", "Mañana"), ("", "Fröken Söder"))

# Unix-time windows of the ratings, per format (ml-100k was collected 1997-09 to 1998-04).
_WINDOWS = {"csv": ("2000-01-01", "2018-09-01"), "dat": ("2000-01-01", "2008-12-31"),
            "100k": ("1997-09-20", "1998-04-22")}
_LAST_YEAR = {"csv": 2016, "dat": 2008, "100k": 1998}

_HIGH, _HIGH_P = np.array([3.5, 4.0, 4.5, 5.0]), np.array([0.2, 0.35, 0.2, 0.25])
_LOW, _LOW_P = np.array([0.5, 1.0, 1.5, 2.0, 2.5]), np.array([0.1, 0.25, 0.2, 0.25, 0.2])
_OWN_SHARE = 0.8


@dataclass(frozen=True)
class SyntheticDataset:
    """What generate_dataset wrote, with the planted groups to check recommendations against."""

    path: Path
    format: str  # "csv" | "dat" | "100k"
    n_users: int
    n_movies: int
    n_ratings: int
    user_group: dict[int, int]  # MovieLens user id -> taste group
    movie_group: dict[int, int]  # MovieLens movie id (item id for 100k) -> taste group


def generate_dataset(out_dir: Path, *, format: str = "csv", n_users: int = 60, n_movies: int = 120,
                     n_groups: int = 4, ratings_per_user: int = 25, tags_per_user: int = 1,
                     seed: int = 0, name: str = "synthetic") -> SyntheticDataset:
    """Write a MovieLens-format dataset with planted taste groups into ``out_dir`` and describe it.

    Every user rates exactly ``ratings_per_user`` distinct movies, about 80% of them from their own
    group. The result is the same for the same arguments. ``name`` goes into the csv README;
    ml-100k has no tags, so ``tags_per_user`` is ignored there.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    if n_groups < 1 or n_users < 1 or n_movies < n_groups:
        raise ValueError("need at least one group, one user and one movie per group")
    if not 1 <= ratings_per_user <= n_movies:
        raise ValueError("ratings_per_user must be between 1 and n_movies")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)

    user_group = rng.permutation(np.arange(n_users) % n_groups)
    movie_group = rng.permutation(np.arange(n_movies) % n_groups)
    popularity = _zipf_weights(rng, movie_group)
    chosen = _choose_movies(rng, user_group, movie_group, popularity, ratings_per_user)
    own = movie_group[chosen] == user_group[:, None]
    values = np.where(own, rng.choice(_HIGH, size=chosen.shape, p=_HIGH_P),
                      rng.choice(_LOW, size=chosen.shape, p=_LOW_P))
    if format == "100k":
        values = np.ceil(values)
    stamps = _timestamps(rng, chosen.shape, *_WINDOWS[format])

    movie_ids = np.arange(1, n_movies + 1) if format == "100k" else _sparse_ids(rng, n_movies)
    titles, years = _titles(rng, n_movies, _LAST_YEAR[format])
    genres = _genres(rng, movie_group)
    user_ids = np.arange(1, n_users + 1)

    n_tags = min(tags_per_user, ratings_per_user) if format != "100k" else 0
    tags = _tags(rng, chosen[:, :n_tags], stamps[:, :n_tags], movie_group, user_ids, movie_ids)

    # Ratings sorted by user then movie, as in the real csv and dat files.
    order = np.argsort(chosen, axis=1)
    chosen, values, stamps = (np.take_along_axis(a, order, axis=1) for a in (chosen, values, stamps))
    users, movies = np.repeat(user_ids, ratings_per_user), movie_ids[chosen.ravel()]
    values, stamps = values.ravel(), stamps.ravel()

    if format == "csv":
        _write_csv(out_dir, rng, name, movie_ids, titles, genres, users, movies, values, stamps, tags)
    elif format == "dat":
        _write_dat(out_dir, movie_ids, titles, genres, users, movies, values, stamps, tags)
    else:
        shuffle = rng.permutation(users.size)
        _write_100k(out_dir, rng, titles, years, genres, users[shuffle], movies[shuffle], values[shuffle],
                    stamps[shuffle])

    return SyntheticDataset(
        path=out_dir, format=format, n_users=n_users, n_movies=n_movies, n_ratings=int(users.size),
        user_group=dict(zip(user_ids.tolist(), user_group.tolist())),
        movie_group=dict(zip(movie_ids.tolist(), movie_group.tolist())),
    )


# --- the planted structure ---------------------------------------------------------------------

def _zipf_weights(rng, movie_group):
    """Popularity 1/rank within each group, ranks shuffled so that popularity is unrelated to id."""
    weights = np.empty(movie_group.size)
    for group in np.unique(movie_group):
        members = np.flatnonzero(movie_group == group)
        weights[members] = 1.0 / rng.permutation(np.arange(1, members.size + 1))
    return weights


def _choose_movies(rng, user_group, movie_group, weights, k):
    """Movie indices, (n_users, k), distinct per row, in a random order: ~80% own group, by popularity.

    Weighted sampling without replacement by the Gumbel top-k trick, a block of users at a time.
    """
    chosen = np.empty((user_group.size, k), dtype=np.int64)
    log_weights = np.log(weights)
    block = max(1, 4_000_000 // movie_group.size)
    for group in np.unique(user_group):
        users = np.flatnonzero(user_group == group)
        own, other = np.flatnonzero(movie_group == group), np.flatnonzero(movie_group != group)
        n_own = min(round(_OWN_SHARE * k), own.size)
        n_own = max(n_own, k - other.size)
        for start in range(0, users.size, block):
            rows = users[start:start + block]
            parts = []
            for columns, m in ((own, n_own), (other, k - n_own)):
                if m:
                    keys = log_weights[columns] + rng.gumbel(size=(rows.size, columns.size))
                    parts.append(columns[np.argpartition(-keys, m - 1, axis=1)[:, :m]])
            chosen[rows] = np.concatenate(parts, axis=1)
    shuffle = np.argsort(rng.random(chosen.shape), axis=1)
    return np.take_along_axis(chosen, shuffle, axis=1)


def _timestamps(rng, shape, first, last):
    """Unix seconds within the window, strictly increasing along each row: short sessions, rare long breaks."""
    t0, t1 = (int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp()) for day in (first, last))
    n_users, k = shape
    long_gap = max(3601, int(min(60 * 86400, (t1 - t0) / max(1.0, 0.08 * k))))
    gaps = np.where(rng.random(shape) < 0.92, rng.integers(4, 240, shape), rng.integers(3600, long_gap, shape))
    gaps[:, 0] = 0
    shrink = np.minimum(1.0, (t1 - t0 - k) / np.maximum(gaps.sum(axis=1), 1))  # keep each user in the window
    gaps[:, 1:] = np.maximum(1, np.floor(gaps[:, 1:] * shrink[:, None]))
    offsets = np.cumsum(gaps, axis=1)
    room = np.maximum(t1 - t0 - offsets[:, -1], 0)
    starts = t0 + (rng.random(n_users) * room).astype(np.int64)
    return starts[:, None] + offsets


def _sparse_ids(rng, n):
    """Increasing MovieLens-like ids from 1 to 3n with gaps."""
    if n == 1:
        return np.array([1])
    middle = np.sort(rng.choice(np.arange(2, 3 * n), n - 2, replace=False))
    return np.concatenate(([1], middle, [3 * n]))


# --- movie metadata ----------------------------------------------------------------------------

def _titles(rng, n, last_year):
    """MovieLens titles with years, unique, with ~10% article-last and a few accents, commas and quotes."""
    kinds = np.array(["plain"] * n, dtype=object)
    counts = {"article": round(0.10 * n), "foreign": max(1, round(0.03 * n)), "comma": max(1, round(0.03 * n)),
              "possessive": round(0.04 * n), "quoted": round(0.01 * n)}
    positions = rng.permutation(n)
    start = 0
    for kind, count in counts.items():
        kinds[positions[start:start + count]] = kind
        start += count
    years = np.clip(last_year - np.floor(rng.exponential(14.0, n)).astype(int), 1921, last_year)
    used, titles = set(), []
    for kind, year in zip(kinds, years.tolist()):
        for attempt in range(1000):
            title = f"{_title_stem(rng, kind if attempt < 50 else 'plain')} ({year})"
            if attempt >= 500:
                title = f"{title[:-7]} {attempt - 498} ({year})"  # a sequel, "Dark Harbor 2 (1994)"
            if title not in used:
                break
        used.add(title)
        titles.append(title)
    return titles, years


def _title_stem(rng, kind):
    adjective, noun, other = (str(rng.choice(_ADJECTIVES)), str(rng.choice(_NOUNS)), str(rng.choice(_NOUNS)))
    if kind == "article":
        stem = noun if rng.random() < 0.3 else f"{adjective} {noun}"
        article = "The" if rng.random() < 0.6 else ("An" if stem[0] in "AEIOU" else "A")
        return f"{stem}, {article}"
    if kind == "foreign":
        article, stem = _FOREIGN[rng.integers(len(_FOREIGN))]
        return f"{stem}, {article}" if article else stem
    if kind == "comma":
        first, second, third = rng.choice(_ABSTRACT, 3, replace=False)
        return f"{first}, {second} & {third}"
    if kind == "possessive":
        return f"{rng.choice(_NAMES)}'s {noun}"
    if kind == "quoted":
        return f'"Great Performances" {adjective} {noun}'
    return f"{noun} of the {other}" if rng.random() < 0.25 and noun != other else f"{adjective} {noun}"


def _genres(rng, movie_group):
    """Sorted genre lists from each movie's group; about 1% of movies have none."""
    genres = []
    for group in movie_group.tolist():
        pool = GROUP_GENRES[group % len(GROUP_GENRES)]
        picked = {pool[0] if rng.random() < 0.6 else pool[rng.integers(len(pool))]}
        if rng.random() < 0.5:
            picked.add(pool[rng.integers(len(pool))])
        genres.append(sorted(picked))
    if movie_group.size >= 50:
        for index in rng.choice(movie_group.size, max(1, movie_group.size // 100), replace=False):
            genres[index] = []
    return genres


def _tags(rng, chosen, stamps, movie_group, user_ids, movie_ids):
    """(user id, movie id, tag, timestamp) rows, sorted by user then movie, tags from the movie's group."""
    n_users, per_user = chosen.shape
    if per_user == 0:
        return []
    groups = movie_group[chosen] % len(GROUP_TAGS)
    which = rng.integers(len(GROUP_TAGS[0]), size=chosen.shape)
    common = rng.random(chosen.shape) < 0.2
    common_which = rng.integers(len(COMMON_TAGS), size=chosen.shape)
    later = stamps + rng.integers(1, 600, size=chosen.shape)
    rows = []
    for u in range(n_users):
        for j in range(per_user):
            tag = COMMON_TAGS[common_which[u, j]] if common[u, j] else GROUP_TAGS[groups[u, j]][which[u, j]]
            rows.append((int(user_ids[u]), int(movie_ids[chosen[u, j]]), tag, int(later[u, j])))
    rows.sort(key=lambda row: row[:2])
    return rows


# --- writers -----------------------------------------------------------------------------------

def _text(values):
    return np.asarray(values).astype(str).tolist()


def _write_table(path, columns, sep, encoding, header=None, chunk=500_000):
    """Write string columns as separated lines, a chunk of rows per join (no Python loop per row)."""
    with open(path, "w", encoding=encoding, newline="\n") as out:
        if header:
            out.write(header + "\n")
        for start in range(0, len(columns[0]), chunk):
            rows = zip(*(column[start:start + chunk] for column in columns))
            out.write("\n".join(map(sep.join, rows)) + "\n")


def _rating_text(values, table):
    return np.array(table, dtype=object)[(values * 2).astype(np.int64)].tolist()


def _write_csv(out_dir, rng, name, movie_ids, titles, genres, users, movies, values, stamps, tags):
    def write(filename, header, rows):
        with open(out_dir / filename, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)

    ids = movie_ids.tolist()
    write("movies.csv", ("movieId", "title", "genres"),
          ((i, t, "|".join(g) or NO_GENRES) for i, t, g in zip(ids, titles, genres)))
    imdb = rng.choice(np.arange(100_000, 9_000_000), len(ids), replace=False)
    tmdb = rng.choice(np.arange(2, 600_000), len(ids), replace=False).astype(str).astype(object)
    tmdb[rng.choice(len(ids), max(1, len(ids) // 50), replace=False)] = ""
    write("links.csv", ("movieId", "imdbId", "tmdbId"), zip(ids, (f"{i:07d}" for i in imdb.tolist()), tmdb))
    write("tags.csv", ("userId", "movieId", "tag", "timestamp"), tags)
    table = [""] + [f"{step / 2:.1f}" for step in range(1, 11)]
    _write_table(out_dir / "ratings.csv", [_text(users), _text(movies), _rating_text(values, table), _text(stamps)],
                 ",", "utf-8", header="userId,movieId,rating,timestamp")
    (out_dir / "README.txt").write_text(_readme(name, len(users), len(tags), len(ids), len(set(users.tolist())),
                                                int(stamps.min()), int(stamps.max())), encoding="utf-8")


def _write_dat(out_dir, movie_ids, titles, genres, users, movies, values, stamps, tags):
    def lines(rows):
        return "".join("::".join(map(str, row)) + "\n" for row in rows)

    (out_dir / "movies.dat").write_text(
        lines((i, t, "|".join(g) or NO_GENRES) for i, t, g in zip(movie_ids.tolist(), titles, genres)),
        encoding="latin-1", newline="\n")
    table = [""] + [f"{step / 2:g}" for step in range(1, 11)]
    _write_table(out_dir / "ratings.dat", [_text(users), _text(movies), _rating_text(values, table), _text(stamps)],
                 "::", "latin-1")
    (out_dir / "tags.dat").write_text(lines(tags), encoding="latin-1", newline="\n")


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _write_100k(out_dir, rng, titles, years, genres, users, movies, values, stamps):
    table = [""] + [str(step // 2) for step in range(1, 11)]
    _write_table(out_dir / "u.data", [_text(users), _text(movies), _rating_text(values, table), _text(stamps)],
                 "\t", "latin-1")
    lines = []
    for item, (title, year, names) in enumerate(zip(titles, years.tolist(), genres), start=1):
        day = "01-Jan" if rng.random() < 0.4 else f"{rng.integers(1, 29):02d}-{_MONTHS[rng.integers(12)]}"
        names = {"Children's" if g == "Children" else g for g in names} or {"unknown"}
        flags = "|".join("1" if g in names else "0" for g in GENRES_100K)
        url = "http://us.imdb.com/M/title-exact?" + title.replace(" ", "%20")
        lines.append(f"{item}|{title}|{day}-{year}||{url}|{flags}\n")
    (out_dir / "u.item").write_text("".join(lines), encoding="latin-1", newline="\n")
    # The real u.genre ends with an empty line.
    (out_dir / "u.genre").write_text("".join(f"{g}|{i}\n" for i, g in enumerate(GENRES_100K)) + "\n",
                                     encoding="latin-1", newline="\n")


def _readme(name, n_ratings, n_tags, n_movies, n_users, first, last):
    def day(stamp):
        moment = dt.datetime.fromtimestamp(stamp, dt.UTC)
        return f"{moment:%B} {moment.day}, {moment.year}"

    return f"""Summary
=======

This dataset ({name}) describes 5-star rating and free-text tagging activity from [MovieLens](http://movielens.org), \
a movie recommendation service. It contains {n_ratings} ratings and {n_tags} tag applications across {n_movies} \
movies. These data were created by {n_users} users between {day(first)} and {day(last)}. This dataset was generated \
on {day(last + 2 * 86400)}.

These data are synthetic: users and movies were drawn from planted taste groups by synthetic.movielens. \
No real MovieLens user is represented.

The data are contained in the files `links.csv`, `movies.csv`, `ratings.csv` and `tags.csv`.
"""
