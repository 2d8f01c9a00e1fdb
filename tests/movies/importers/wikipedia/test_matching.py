"""The join to MovieLens: IMDb id first, then title and year; one film per movie."""
import pytest

from movies.importers.wikipedia.matching import film_name, match_films, match_key
from movies.models import Movie

pytestmark = pytest.mark.django_db


def film(page_id, title, year, imdb_id=None):
    return {"page_id": page_id, "title": title, "year": year, "imdb_id": imdb_id}


def movielens(movielens_title, title, year, imdb_id=None, movielens_id=None):
    return Movie.objects.create(movielens_id=movielens_id or Movie.objects.count() + 1,
                                movielens_title=movielens_title, title=title, year=year, imdb_id=imdb_id)


@pytest.mark.parametrize("wiki,movielens_title,year", [
    ("The Godfather", "Godfather, The (1972)", 1972),
    ("Heat (1995 film)", "Heat (1995)", 1995),
    ("Amélie", "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)", 2001),
    ("Lock, Stock and Two Smoking Barrels", "Lock, Stock & Two Smoking Barrels (1998)", 1998),
    ("Léon: The Professional", "Leon: The Professional (1994)", 1994),
])
def test_films_match_by_title_and_year(wiki, movielens_title, year):
    from movies.importers.titles import display_title

    movie = movielens(movielens_title, display_title(movielens_title)[0], year)

    assert match_films([film(1, wiki, year)]) == {1: (movie.pk, "title_year")}


def test_imdb_id_comes_before_title():
    by_title = movielens("Heat (1995)", "Heat", 1995)
    by_imdb = movielens("Heat (1986)", "Heat", 1986, imdb_id="tt0113277")

    assert match_films([film(1, "Heat (1995 film)", 1995, "tt0113277")]) == {1: (by_imdb.pk, "imdb")}
    assert by_title.pk != by_imdb.pk


def test_a_different_year_does_not_match():
    movielens("Heat (1995)", "Heat", 1995)

    assert match_films([film(1, "Heat (1986 film)", 1986)]) == {}


def test_a_title_two_movies_share_matches_neither():
    movielens("Heat (1995)", "Heat", 1995)
    movielens("Heat (1995)", "Heat", 1995)

    assert match_films([film(1, "Heat (1995 film)", 1995)]) == {}


def test_a_movie_matches_one_film_only():
    movie = movielens("Heat (1995)", "Heat", 1995, imdb_id="tt0113277")

    matched = match_films([film(1, "Heat (1995 film)", 1995), film(2, "Heat", 1995, "tt0113277")])

    assert matched == {2: (movie.pk, "imdb")}


def test_movies_without_movielens_ids_are_not_matched():
    Movie.objects.create(title="Heat", year=1995, wikipedia_page_id=5)

    assert match_films([film(1, "Heat (1995 film)", 1995)]) == {}


def test_keys_ignore_diacritics_case_punctuation_and_ampersands():
    assert match_key("Amélie & Co.!") == match_key("amelie and co")
    assert film_name("Heat (1995 American film)") == "Heat"
    assert film_name("Heat (band)") == "Heat (band)"
