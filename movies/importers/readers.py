"""Readers for the small MovieLens files (movies, links, tags), validating as they go.

Each reader yields plain records and raises ImportFailed naming the file, line and field of
the first bad row. The large ratings file has its own block reader (ratings_file.py).
"""
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from movies.importers.errors import ImportFailed
from movies.importers.formats import ML100K, ML100K_GENRES, MovieLensFormat
from movies.importers.sources import DatasetFiles
from movies.importers.titles import display_title

GENRE_ALIASES = {"Children's": "Children"}  # ml-1m and ml-100k spell it the old way
NO_GENRES = {"(no genres listed)", "unknown", ""}
TAG_MAX_LENGTH = 255


@dataclass(frozen=True)
class MovieRecord:
    key: int  # the movie id in this release
    movielens_title: str
    title: str
    year: int | None
    genres: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class TagRecord:
    user: int
    movie: int
    text: str
    timestamp: int
    line: int


def text_lines(files: DatasetFiles, name: str, encodings: tuple[str, ...]) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-empty line, decoded with the first encoding that fits the file."""
    with files.open(name) as stream:
        raw = stream.read()
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError as error:
            if encoding == encodings[-1]:
                line = raw.count(b"\n", 0, error.start) + 1
                raise ImportFailed(f"not valid {encoding.upper()} text (byte {raw[error.start]:#04x})",
                                   file=files.label(name), line=line) from None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, line


def split_fields(fmt: MovieLensFormat, line: str, separator: str | None = None) -> list[str]:
    separator = separator or fmt.separator
    if separator == ",":
        return next(csv.reader(io.StringIO(line)))
    return line.split(separator)


def expect_fields(fields: list[str], count: int, label: str, line: int, at_least: bool = False) -> None:
    if len(fields) < count or (len(fields) > count and not at_least):
        raise ImportFailed(f"expected {count} fields, found {len(fields)}", file=label, line=line)


def whole_number(text: str, label: str, line: int, field: str, *, minimum: int = 0) -> int:
    text = text.strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ImportFailed(f"{text!r} is not a whole number", file=label, line=line, field=field)
    value = int(text)
    if value < minimum:
        raise ImportFailed(f"{value} is below {minimum}", file=label, line=line, field=field)
    return value


def check_header(fields: list[str], expected: tuple[str, ...], label: str) -> None:
    if tuple(field.strip() for field in fields) != expected:
        raise ImportFailed(f"expected the header {','.join(expected)}, found {','.join(fields)!r}",
                           file=label, line=1)


def read_movies(files: DatasetFiles, fmt: MovieLensFormat) -> list[MovieRecord]:
    """All movies of the release, with titles in display order and the year parsed out."""
    if fmt is ML100K:
        return _read_100k_items(files)
    label, records, seen = files.label(fmt.movies_file), [], {}
    for number, line in text_lines(files, fmt.movies_file, fmt.text_encodings()):
        fields = split_fields(fmt, line)
        if fmt.name == "csv" and number == 1:
            check_header(fields, ("movieId", "title", "genres"), label)
            continue
        expect_fields(fields, 3, label, number)
        key = whole_number(fields[0], label, number, "movieId", minimum=1)
        if key in seen:
            raise ImportFailed(f"movie id {key} already appeared on line {seen[key]}", file=label, line=number,
                               field="movieId")
        seen[key] = number
        records.append(_movie(key, fields[1], fields[2].split("|"), number, label))
    return records


def _read_100k_items(files: DatasetFiles) -> list[MovieRecord]:
    label, records, seen = files.label("u.item"), [], {}
    genres = ML100K_GENRES
    if files.has("u.genre"):
        pairs = [line.split("|") for _, line in text_lines(files, "u.genre", ML100K.text_encodings())]
        genres = [name for name, _ in sorted(pairs, key=lambda pair: int(pair[1]))]
    for number, line in text_lines(files, "u.item", ML100K.text_encodings()):
        fields = line.split("|")
        expect_fields(fields, 5 + len(genres), label, number)
        key = whole_number(fields[0], label, number, "movie id", minimum=1)
        if key in seen:
            raise ImportFailed(f"movie id {key} already appeared on line {seen[key]}", file=label, line=number,
                               field="movie id")
        seen[key] = number
        flags = fields[5:]
        if any(flag not in ("0", "1") for flag in flags):
            raise ImportFailed("genre flags must be 0 or 1", file=label, line=number, field="genres")
        names = [genre for genre, flag in zip(genres, flags) if flag == "1"]
        record = _movie(key, fields[1], names, number, label)
        if record.year is None and fields[2].strip():  # release date such as 01-Jan-1995
            record = MovieRecord(**{**record.__dict__, "year": _release_year(fields[2], label, number)})
        records.append(record)
    return records


def _release_year(text: str, label: str, line: int) -> int:
    try:
        return datetime.strptime(text.strip(), "%d-%b-%Y").year
    except ValueError:
        raise ImportFailed(f"{text!r} is not a date like 01-Jan-1995", file=label, line=line,
                           field="release date") from None


def _movie(key: int, raw_title: str, genre_names: list[str], line: int, label: str) -> MovieRecord:
    raw_title = raw_title.strip()
    if not raw_title:
        raise ImportFailed("the title is empty", file=label, line=line, field="title")
    title, year = display_title(raw_title)
    if year is not None and not 1870 <= year <= date.today().year + 10:
        year = None  # a number in parentheses, not a release year
    genres = tuple(dict.fromkeys(GENRE_ALIASES.get(g.strip(), g.strip()) for g in genre_names
                                 if g.strip() not in NO_GENRES))
    return MovieRecord(key, raw_title, title, year, genres, line)


def read_links(files: DatasetFiles, fmt: MovieLensFormat) -> dict[int, tuple[str | None, int | None]]:
    """movie id → (IMDb id like "tt0114709", TMDB id) from links.csv; empty for releases without it."""
    if not fmt.links_file or not files.has(fmt.links_file):
        return {}
    label, links = files.label(fmt.links_file), {}
    for number, line in text_lines(files, fmt.links_file, fmt.text_encodings()):
        fields = split_fields(fmt, line)
        if number == 1:
            check_header(fields, ("movieId", "imdbId", "tmdbId"), label)
            continue
        expect_fields(fields, 3, label, number)
        key = whole_number(fields[0], label, number, "movieId", minimum=1)
        imdb = whole_number(fields[1], label, number, "imdbId", minimum=1) if fields[1].strip() else None
        tmdb = whole_number(fields[2], label, number, "tmdbId", minimum=1) if fields[2].strip() else None
        links[key] = (f"tt{imdb:07d}" if imdb else None, tmdb)
    return links


def iter_tags(files: DatasetFiles, fmt: MovieLensFormat) -> Iterator[TagRecord]:
    """Users' tags (tags.csv or tags.dat); nothing for releases without tags."""
    if not fmt.tags_file or not files.has(fmt.tags_file):
        return
    label = files.label(fmt.tags_file)
    for number, line in text_lines(files, fmt.tags_file, fmt.text_encodings()):
        fields = split_fields(fmt, line)
        if fmt.name == "csv" and number == 1:
            check_header(fields, ("userId", "movieId", "tag", "timestamp"), label)
            continue
        if fmt.name != "csv" and len(fields) > 4:  # a tag containing "::"
            fields = [fields[0], fields[1], fmt.separator.join(fields[2:-1]), fields[-1]]
        expect_fields(fields, 4, label, number)
        text = fields[2].strip()[:TAG_MAX_LENGTH]
        if not text:
            continue
        yield TagRecord(
            user=whole_number(fields[0], label, number, "userId", minimum=1),
            movie=whole_number(fields[1], label, number, "movieId", minimum=1),
            text=text,
            timestamp=whole_number(fields[3], label, number, "timestamp"),
            line=number,
        )
