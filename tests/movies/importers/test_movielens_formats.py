"""Every MovieLens layout imports completely and correctly: csv (ml-latest), dat (ml-10m), 100k."""
import pytest
from django.contrib.auth import get_user_model

from movies.importers.movielens import import_movielens
from movies.models import Movie, MovieLensAccount, Rating, Tag
from synthetic.movielens import generate_dataset

pytestmark = pytest.mark.django_db


def ratings_in_file(dataset) -> set[tuple[int, int, float]]:
    """(user, movie, stars) of the generated ratings file, parsed independently of the importer."""
    name, separator = {"csv": ("ratings.csv", ","), "dat": ("ratings.dat", "::"), "100k": ("u.data", "\t")}[
        dataset.format]
    lines = (dataset.path / name).read_text(encoding="latin-1").splitlines()
    rows = [line.split(separator) for line in lines[1 if dataset.format == "csv" else 0:] if line]
    return {(int(user), int(movie), float(stars)) for user, movie, stars, _ in rows}


def ratings_in_database(dataset_name: str, key_field: str) -> set[tuple[int, int, float]]:
    return set(Rating.objects.filter(user__movielens_account__dataset=dataset_name).values_list(
        "user__movielens_account__movielens_id", f"movie__{key_field}", "value"))


@pytest.mark.parametrize("fmt, key_field", [("csv", "movielens_id"), ("dat", "movielens_id"),
                                            ("100k", "movielens_100k_id")])
def test_import_loads_every_movie_and_rating_of_each_format(tmp_path, fmt, key_field):
    dataset = generate_dataset(tmp_path / f"ml-{fmt}", format=fmt, n_users=25, n_movies=40, ratings_per_user=10)

    counts = import_movielens(str(dataset.path))

    assert counts["format"] == fmt
    assert Movie.objects.count() == dataset.n_movies
    assert set(Movie.objects.values_list(key_field, flat=True)) == set(dataset.movie_group)
    assert ratings_in_database(counts["dataset"], key_field) == ratings_in_file(dataset)
    assert counts["ratings_created"] == dataset.n_ratings
    assert counts["users_created"] == dataset.n_users


def test_import_creates_inactive_users_that_cannot_log_in(release):
    import_movielens(str(release.path))

    users = get_user_model().objects.filter(movielens_account__isnull=False)
    assert users.count() == release.n_users
    assert not users.filter(is_active=True).exists()
    assert not any(user.has_usable_password() for user in users)
    assert set(MovieLensAccount.objects.values_list("movielens_id", flat=True)) == set(release.user_group)


def test_import_reads_titles_years_genres_and_links(tmp_path):
    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "movies.csv").write_text(
        "movieId,title,genres\n"
        '858,"Godfather, The (1972)",Crime|Drama\n'
        '2,"City of Lost Children, The (Cité des enfants perdus, La) (1995)",Adventure|Sci-Fi\n'
        "3,Babylon 5,(no genres listed)\n", encoding="utf-8")
    (folder / "links.csv").write_text("movieId,imdbId,tmdbId\n858,0068646,238\n2,0112682,\n3,0105946,12\n")
    (folder / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,858,5.0,964982703\n1,2,3.5,964982704\n")
    (folder / "tags.csv").write_text('userId,movieId,tag,timestamp\n1,858,"mafia, family",964982705\n')

    import_movielens(str(folder))

    godfather = Movie.objects.get(movielens_id=858)
    assert (godfather.title, godfather.movielens_title, godfather.year) == (
        "The Godfather", "Godfather, The (1972)", 1972)
    assert (godfather.imdb_id, godfather.tmdb_id) == ("tt0068646", 238)
    assert sorted(godfather.genres.values_list("name", flat=True)) == ["Crime", "Drama"]
    lost = Movie.objects.get(movielens_id=2)
    assert lost.title == "The City of Lost Children (La Cité des enfants perdus)"
    assert lost.tmdb_id is None
    babylon = Movie.objects.get(movielens_id=3)
    assert (babylon.title, babylon.year, babylon.genres.count()) == ("Babylon 5", None, 0)
    assert Tag.objects.get().text == "mafia, family"


def test_import_decodes_latin1_dat_files(tmp_path):
    folder = tmp_path / "ml-1m"
    folder.mkdir()
    (folder / "movies.dat").write_bytes("1::Misérables, Les (1995)::Drama|Children's\n".encode("latin-1"))
    (folder / "ratings.dat").write_bytes(b"7::1::4::978300760\n")

    import_movielens(str(folder))

    movie = Movie.objects.get()
    assert (movie.title, movie.year) == ("Les Misérables", 1995)
    assert sorted(movie.genres.values_list("name", flat=True)) == ["Children", "Drama"]
    assert Rating.objects.get().value == 4.0


def test_import_of_100k_takes_the_year_from_the_release_date_when_the_title_has_none(tmp_path):
    folder = tmp_path / "ml-100k"
    folder.mkdir()
    flags = "|".join(["0"] * 8 + ["1"] + ["0"] * 10)
    (folder / "u.item").write_bytes(f"1|Kolya|24-Jan-1997||http://us.imdb.com/M/x|{flags}\n".encode("latin-1"))
    (folder / "u.data").write_bytes(b"196\t1\t3\t881250949\n")

    import_movielens(str(folder))

    movie = Movie.objects.get()
    assert (movie.title, movie.year, movie.movielens_100k_id, movie.movielens_id) == ("Kolya", 1997, 1, None)
    assert list(movie.genres.values_list("name", flat=True)) == ["Drama"]


def test_import_names_the_dataset_after_its_readme(release):
    counts = import_movielens(str(release.path))
    assert counts["dataset"] == "ml-test"
    assert set(MovieLensAccount.objects.values_list("dataset", flat=True)) == {"ml-test"}


def test_import_from_a_zip_archive_with_a_top_folder(release, tmp_path):
    import shutil

    archive = shutil.make_archive(str(tmp_path / "ml-test"), "zip", root_dir=release.path.parent,
                                  base_dir=release.path.name)

    counts = import_movielens(archive)

    assert counts["ratings_created"] == release.n_ratings
    assert Rating.objects.count() == release.n_ratings
