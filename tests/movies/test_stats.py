"""Each movie's stored rating count and average follow its ratings: after a rating, a removal and an import."""
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from movies.importers.movielens import import_movielens
from movies.models import Movie, Rating
from movies.ratings import remove_rating, set_rating
from movies.stats import refresh_stats

pytestmark = pytest.mark.django_db


def test_setting_and_removing_ratings_keeps_the_numbers(db):
    movie = Movie.objects.create(title="Alien")
    ada, bob = (get_user_model().objects.create_user(name) for name in ("ada", "bob"))
    set_rating(user=ada, movie=movie, value=4)
    set_rating(user=bob, movie=movie, value=3)
    set_rating(user=bob, movie=movie, value=5)
    movie.refresh_from_db()
    assert (movie.num_ratings, movie.mean_rating) == (2, 4.5)
    remove_rating(user=ada, movie=movie)
    remove_rating(user=bob, movie=movie)
    movie.refresh_from_db()
    assert (movie.num_ratings, movie.mean_rating) == (0, None)


def test_refreshing_every_movie_matches_an_aggregate(db):
    movies = [Movie.objects.create(title=f"M{n}") for n in range(3)]
    user = get_user_model().objects.create_user("ada")
    Rating.objects.create(user=user, movie=movies[0], value=2, rated_at=datetime(2020, 1, 1, tzinfo=UTC))
    Movie.objects.filter(pk=movies[2].pk).update(num_ratings=7, mean_rating=1.0)  # stale
    refresh_stats()
    assert list(Movie.objects.order_by("title").values_list("num_ratings", "mean_rating")) == [
        (1, 2.0), (0, None), (0, None)]


def test_an_import_counts_the_ratings_of_every_movie(release):
    import_movielens(str(release.path))
    for movie in Movie.objects.filter(num_ratings__gt=0)[:10]:
        ratings = list(movie.ratings.values_list("value", flat=True))
        assert movie.num_ratings == len(ratings) and movie.mean_rating == pytest.approx(sum(ratings) / len(ratings))
    assert Movie.objects.filter(num_ratings__gt=0).count() == Rating.objects.values("movie").distinct().count()
