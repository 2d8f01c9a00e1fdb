"""Streaming reader of the ratings file, in blocks of numpy arrays.

A ratings file can hold tens of millions of rows, so it is read in blocks of a few megabytes
that pandas' C parser turns into arrays; memory stays bounded whatever the file size. Each
block keeps its raw bytes and first line number, so when a vectorised check finds a bad row,
`RatingBlock.rows` re-reads just that block line by line to name the exact line and field.
"""
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from movies.importers.errors import ImportFailed
from movies.importers.formats import MovieLensFormat
from movies.importers.readers import check_header, expect_fields, split_fields, whole_number
from movies.importers.sources import DatasetFiles

BLOCK_BYTES = 8 * 1024 * 1024
COLUMNS = ("user", "movie", "rating", "timestamp")
FIELD_NAMES = {"csv": ("userId", "movieId", "rating", "timestamp")}
DEFAULT_FIELD_NAMES = ("user id", "movie id", "rating", "timestamp")


@dataclass(frozen=True)
class RatingRow:
    user: int
    movie: int
    rating: float
    timestamp: int
    line: int


@dataclass
class RatingBlock:
    user: np.ndarray  # MovieLens user ids (int64)
    movie: np.ndarray  # movie ids of the release (int64)
    rating: np.ndarray  # stars (float64)
    timestamp: np.ndarray  # unix seconds (int64)
    raw: bytes
    first_line: int
    bytes_done: int  # how far into the file this block ends, for progress
    fmt: MovieLensFormat
    label: str

    def __len__(self) -> int:
        return len(self.user)

    def rows(self) -> Iterator[RatingRow]:
        """The block's rows, each validated in Python: slow, so used only to explain errors."""
        return parse_rows(self.raw, self.fmt, self.label, self.first_line)

    def fail_at_first(self, is_bad: Callable[[RatingRow], bool], problem: Callable[[RatingRow], str],
                      column: str) -> None:
        """Raise ImportFailed at the first row `is_bad` picks, with the message `problem` gives."""
        field = FIELD_NAMES.get(self.fmt.name, DEFAULT_FIELD_NAMES)[COLUMNS.index(column)]
        for row in self.rows():
            if is_bad(row):
                raise ImportFailed(problem(row), file=self.label, line=row.line, field=field)
        last_line = self.first_line + self.raw.count(b"\n")
        raise ImportFailed(f"a row between lines {self.first_line} and {last_line} has a bad {field}",
                           file=self.label)


def iter_rating_blocks(files: DatasetFiles, fmt: MovieLensFormat,
                       block_bytes: int = BLOCK_BYTES) -> Iterator[RatingBlock]:
    """The ratings file as validated blocks: whole numbers, half stars from 0.5 to 5, valid timestamps."""
    label = files.label(fmt.ratings_file)
    with files.open(fmt.ratings_file) as stream:
        first_line, done = 1, 0
        if fmt.header:
            header = stream.readline()
            done += len(header)
            check_header(split_fields(fmt, header.decode("utf-8", "replace").lstrip("\ufeff").strip()),
                         fmt.header, label)
            first_line = 2
        pending = b""
        while True:
            chunk = stream.read(block_bytes)
            data = pending + chunk
            if not chunk:
                if data.strip():
                    yield _parse_block(data, fmt, label, first_line, done + len(data))
                return
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                pending = data
                continue
            block, pending = data[:cut], data[cut:]
            done += len(block)
            yield _parse_block(block, fmt, label, first_line, done)
            first_line += block.count(b"\n")


def _parse_block(raw: bytes, fmt: MovieLensFormat, label: str, first_line: int, bytes_done: int) -> RatingBlock:
    data = raw.replace(b"::", b"\t") if fmt.separator == "::" else raw
    try:
        frame = pd.read_csv(
            io.BytesIO(data), sep="," if fmt.separator == "," else "\t", header=None, names=COLUMNS,
            dtype={"user": "int64", "movie": "int64", "rating": "float64", "timestamp": "int64"},
            engine="c", skip_blank_lines=True,
        )
        columns = [frame[column].to_numpy() for column in COLUMNS]
    except (ValueError, pd.errors.ParserError):
        columns = None
    block = RatingBlock(*(columns or [np.empty(0)] * 4), raw, first_line, bytes_done, fmt, label)
    if columns is not None:
        doubled = block.rating * 2
        valid = ((block.user >= 1) & (block.movie >= 1) & (block.timestamp >= 0)
                 & (doubled >= 1) & (doubled <= 10) & (doubled == np.round(doubled)))
        if valid.all():
            return block
    for _ in block.rows():  # raises at the first malformed row
        pass
    raise ImportFailed(f"could not parse the rows from line {first_line} on", file=label, line=first_line)


def parse_rows(raw: bytes, fmt: MovieLensFormat, label: str, first_line: int) -> Iterator[RatingRow]:
    """The rows of a block, each fully validated: the first malformed one raises ImportFailed."""
    names = FIELD_NAMES.get(fmt.name, DEFAULT_FIELD_NAMES)
    for offset, line_bytes in enumerate(raw.split(b"\n")):
        number = first_line + offset
        try:
            line = line_bytes.decode("ascii").strip()
        except UnicodeDecodeError:
            raise ImportFailed("unexpected non-ASCII bytes in a numeric row", file=label, line=number) from None
        if not line:
            continue
        fields = split_fields(fmt, line)
        expect_fields(fields, 4, label, number)
        user = whole_number(fields[0], label, number, names[0], minimum=1)
        movie = whole_number(fields[1], label, number, names[1], minimum=1)
        rating = _stars(fields[2], label, number, names[2])
        timestamp = whole_number(fields[3], label, number, names[3])
        yield RatingRow(user, movie, rating, timestamp, number)


def _stars(text: str, label: str, line: int, field: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ImportFailed(f"{text.strip()!r} is not a number", file=label, line=line, field=field) from None
    if not 0.5 <= value <= 5:
        raise ImportFailed(f"{text.strip()} is out of range (0.5 to 5 stars)", file=label, line=line, field=field)
    if value * 2 != round(value * 2):
        raise ImportFailed(f"{text.strip()} is not a whole or half star", file=label, line=line, field=field)
    return value


def find_row(files: DatasetFiles, fmt: MovieLensFormat, is_bad: Callable[[RatingRow], bool],
             skip: int = 0) -> RatingRow | None:
    """Scan the whole ratings file for the first row `is_bad` picks (after skipping `skip` such rows)."""
    for block in iter_rating_blocks(files, fmt):
        for row in block.rows():
            if is_bad(row):
                if skip == 0:
                    return row
                skip -= 1
    return None
