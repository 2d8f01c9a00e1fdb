"""Bad input fails with a message naming the file, line and field, and leaves the database as it was."""
import shutil

import pytest
from django.db import connection

from movies.importers.errors import ImportFailed
from movies.importers.movielens import import_movielens
from movies.models import Rating
from tests.movies.importers.helpers import replace_line, snapshot, table_counts

pytestmark = pytest.mark.django_db

EMPTY = {"Movie": 0, "Genre": 0, "MovieLensAccount": 0, "Rating": 0, "Tag": 0}


def fails_with(source, *fragments):
    with pytest.raises(ImportFailed) as caught:
        import_movielens(str(source))
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return caught.value


@pytest.mark.parametrize("value, problem", [
    ("abc", "'abc' is not a number"),
    ("7", "7 is out of range"),
    ("0.3", "0.3 is out of range"),
    ("3.7", "3.7 is not a whole or half star"),
    ("", "'' is not a number"),
])
def test_import_rejects_a_bad_rating_value_naming_file_line_and_field(release, value, problem):
    replace_line(release.path / "ratings.csv", 5, f"{release_user(release)},{release_movie(release)},{value},1")

    error = fails_with(release.path, "ratings.csv", "line 5", "field rating", problem)

    assert (error.line, error.field) == (5, "rating")
    assert table_counts() == EMPTY


def test_import_rejects_a_row_with_the_wrong_number_of_columns(release):
    replace_line(release.path / "ratings.csv", 4, "1,2,3.0,964982703,extra")
    fails_with(release.path, "ratings.csv, line 4", "expected 4 fields, found 5")
    assert table_counts() == EMPTY


def test_import_rejects_a_row_with_too_few_columns(release):
    replace_line(release.path / "ratings.csv", 3, "1,2")
    fails_with(release.path, "ratings.csv, line 3", "expected 4 fields, found 2")


def test_import_rejects_a_non_numeric_user_id(release):
    replace_line(release.path / "ratings.csv", 6, "one,2,3.0,964982703")
    fails_with(release.path, "ratings.csv, line 6, field userId", "'one' is not a whole number")


def test_import_rejects_a_rating_of_an_unknown_movie(release):
    replace_line(release.path / "ratings.csv", 7, f"{release_user(release)},123456789,4.0,964982703")
    fails_with(release.path, "ratings.csv, line 7, field movieId", "movie 123456789 is not in the movies file")
    assert table_counts() == EMPTY


def test_import_rejects_a_user_rating_the_same_movie_twice(release):
    lines = (release.path / "ratings.csv").read_text().split("\n")
    lines.insert(9, lines[3])  # line 4 again, as line 10
    (release.path / "ratings.csv").write_text("\n".join(lines))
    fails_with(release.path, "ratings.csv, line 10", "a second time")
    assert table_counts() == EMPTY


def test_import_rejects_a_wrong_header(release):
    replace_line(release.path / "ratings.csv", 1, "user,movie,stars,when")
    fails_with(release.path, "ratings.csv, line 1", "expected the header userId,movieId,rating,timestamp")


def test_import_rejects_movies_that_are_not_utf8(release):
    path = release.path / "movies.csv"
    lines = path.read_bytes().split(b"\n")
    lines[3] = b'77,Caf\xe9 (1999),Drama'
    path.write_bytes(b"\n".join(lines))
    fails_with(release.path, "movies.csv, line 4", "not valid UTF-8")


def test_import_rejects_a_tag_of_an_unknown_movie(release):
    replace_line(release.path / "tags.csv", 2, f"{release_user(release)},424242,scary,964982703")
    fails_with(release.path, "tags.csv, line 2", "movie 424242 is not in the movies file")
    assert table_counts() == EMPTY


def test_import_rejects_a_missing_source(tmp_path):
    fails_with(tmp_path / "nowhere", "nowhere", "no such file or directory")


def test_import_rejects_an_unknown_format(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    fails_with(tmp_path, "unknown format", "notes.txt")


def test_import_rejects_a_release_missing_its_ratings(release):
    (release.path / "ratings.csv").unlink()
    fails_with(release.path, "missing file ratings.csv")


def test_import_rejects_a_truncated_zip(release, tmp_path):
    archive = shutil.make_archive(str(tmp_path / "ml-test"), "zip", root_dir=release.path)
    data = open(archive, "rb").read()
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(data[: len(data) // 2])
    fails_with(truncated, "truncated.zip", "not a readable zip archive")
    assert table_counts() == EMPTY


def test_import_rejects_a_zip_with_a_damaged_member(release, tmp_path):
    archive = tmp_path / "ml-test.zip"
    shutil.make_archive(str(tmp_path / "ml-test"), "zip", root_dir=release.path)
    data = bytearray(archive.read_bytes())
    start = data.index(b"PK\x03\x04", data.index(b"ratings.csv") - 60)  # the ratings member's local header
    data[start + 200] ^= 0xFF  # flip bits inside its compressed body
    archive.write_bytes(bytes(data))
    fails_with(archive, "ratings.csv")
    assert table_counts() == EMPTY


def test_a_failed_reimport_leaves_the_previous_import_untouched(release):
    import_movielens(str(release.path))
    before = snapshot()
    replace_line(release.path / "movies.csv", 2, '1,"Changed, The (2000)",Drama')
    replace_line(release.path / "ratings.csv", 20, "1,1,9.5,964982703")

    fails_with(release.path, "line 20")

    assert snapshot() == before


def test_a_failed_first_import_keeps_the_rating_table_indexes_and_constraints(release):
    with connection.cursor() as cursor:
        before = connection.introspection.get_constraints(cursor, Rating._meta.db_table)
    lines = (release.path / "ratings.csv").read_text().split("\n")
    lines.append(lines[5])  # a duplicate: found only when the unique index is rebuilt
    (release.path / "ratings.csv").write_text("\n".join(lines))

    fails_with(release.path, "a second time")

    with connection.cursor() as cursor:
        assert connection.introspection.get_constraints(cursor, Rating._meta.db_table) == before


def release_user(release) -> int:
    return min(release.user_group)


def release_movie(release) -> int:
    return min(release.movie_group)


def test_import_rejects_a_links_row_with_a_non_numeric_imdb_id(release):
    replace_line(release.path / "links.csv", 3, f"{release_movie(release)},tt0114709,862")
    fails_with(release.path, "links.csv, line 3, field imdbId", "'tt0114709' is not a whole number")
    assert table_counts() == EMPTY


def test_import_rejects_a_100k_item_with_a_bad_release_date(tmp_path):
    folder = tmp_path / "ml-100k"
    folder.mkdir()
    flags = "|".join(["0"] * 19)
    (folder / "u.item").write_bytes(f"1|Kolya|1997-01-24||http://us.imdb.com/M/x|{flags}\n".encode("latin-1"))
    (folder / "u.data").write_bytes(b"196\t1\t3\t881250949\n")
    fails_with(folder, "u.item, line 1, field release date", "is not a date like 01-Jan-1995")
    assert table_counts() == EMPTY


def test_import_rejects_a_100k_item_with_a_bad_genre_flag(tmp_path):
    folder = tmp_path / "ml-100k"
    folder.mkdir()
    flags = "|".join(["0"] * 18 + ["x"])
    (folder / "u.item").write_bytes(f"1|Kolya (1996)|24-Jan-1997||http://x|{flags}\n".encode("latin-1"))
    (folder / "u.data").write_bytes(b"196\t1\t3\t881250949\n")
    fails_with(folder, "u.item, line 1, field genres", "genre flags must be 0 or 1")
