"""The block reader sees every row once, whatever the block size, and names the exact bad line."""
import numpy as np
import pytest

from movies.importers.errors import ImportFailed
from movies.importers.formats import CSV, DAT, ML100K
from movies.importers.ratings_file import iter_rating_blocks
from movies.importers.sources import DirectoryFiles

ROWS = [(1, 10, 4.0, 964982703), (1, 12, 0.5, 964982704), (2, 10, 5.0, 964982705), (3, 99, 2.5, 964982706)]


def write(tmp_path, name, text):
    (tmp_path / name).write_bytes(text.encode())
    return DirectoryFiles(tmp_path)


def read_all(files, fmt, block_bytes):
    blocks = list(iter_rating_blocks(files, fmt, block_bytes=block_bytes))
    columns = [np.concatenate([getattr(b, c) for b in blocks]) for c in ("user", "movie", "rating", "timestamp")]
    return list(zip(*(column.tolist() for column in columns))), blocks


@pytest.mark.parametrize("block_bytes", [16, 40, 1 << 20])
def test_blocks_cover_every_row_once_whatever_the_block_size(tmp_path, block_bytes):
    body = "".join(f"{u},{m},{r},{t}\n" for u, m, r, t in ROWS)
    files = write(tmp_path, "ratings.csv", "userId,movieId,rating,timestamp\n" + body)

    rows, blocks = read_all(files, CSV, block_bytes)

    assert rows == ROWS
    assert blocks[-1].bytes_done == (tmp_path / "ratings.csv").stat().st_size


def test_a_bad_row_deep_in_the_file_is_named_by_its_own_line(tmp_path):
    good = "".join(f"{user},1,3.5,964982703\n" for user in range(1, 200))
    files = write(tmp_path, "ratings.csv", "userId,movieId,rating,timestamp\n" + good + "200,1,3.6,964982703\n")

    with pytest.raises(ImportFailed) as caught:
        read_all(files, CSV, block_bytes=64)

    assert (caught.value.line, caught.value.field) == (201, "rating")


@pytest.mark.parametrize("fmt, name, separator", [(DAT, "ratings.dat", "::"), (ML100K, "u.data", "\t")])
def test_headerless_layouts_are_read_with_their_separator(tmp_path, fmt, name, separator):
    files = write(tmp_path, name, "".join(separator.join(map(str, row)) + "\n" for row in ROWS))
    rows, _ = read_all(files, fmt, block_bytes=1 << 20)
    assert rows == ROWS


def test_windows_line_endings_and_a_missing_final_newline_are_fine(tmp_path):
    body = "\r\n".join(f"{u},{m},{r},{t}" for u, m, r, t in ROWS)
    files = write(tmp_path, "ratings.csv", "userId,movieId,rating,timestamp\r\n" + body)
    rows, _ = read_all(files, CSV, block_bytes=1 << 20)
    assert rows == ROWS


def test_a_negative_timestamp_is_refused(tmp_path):
    files = write(tmp_path, "ratings.csv", "userId,movieId,rating,timestamp\n1,2,3.0,-5\n")
    with pytest.raises(ImportFailed, match=r"line 2, field timestamp: -5 is below 0"):
        read_all(files, CSV, block_bytes=1 << 20)
