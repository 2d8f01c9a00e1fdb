"""Selectors of what the site recommends: picks, neighbours and predicted ratings, from the active versions."""
import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from ml.models import ModelKind
from ml.serving import recommendations
from movies.ratings import set_rating
from tests import factories
from tests.factories import activate_ratings_model, make_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    """20 sci-fi movies of the 1980s and 20 romances of the 1990s, whose vectors point two different ways."""
    return make_catalog(per_genre=20, title="{genre} {n}")


def activate_cf_version(catalog, seed=0):
    """A CF version whose rating and ranking vectors separate the two genres; sci-fi is a little more popular."""
    return activate_ratings_model(catalog, seed=seed)


def rate(user, movies, value):
    """Ratings as an import writes them, dated now."""
    factories.rate(user, movies, value, when=timezone.now())


def test_picks_follow_the_users_taste_and_never_include_a_rated_movie(catalog):
    activate_cf_version(catalog)
    user = User.objects.create(username="ada")
    rate(user, catalog["romance"][:5], 5.0)
    picks = recommendations.picks_for(user=user, k=10)
    assert len(picks) == 10
    assert {p.movie.pk for p in picks} <= {m.pk for m in catalog["romance"][5:]}
    assert all(p.because in catalog["romance"][:5] for p in picks)


def test_picks_change_right_after_a_rating(catalog):
    activate_cf_version(catalog)
    user = User.objects.create(username="ada")
    rate(user, catalog["romance"][:1], 4.5)
    before = {p.movie.pk for p in recommendations.picks_for(user=user, k=5)}
    rate(user, catalog["scifi"][:6], 5.0)
    after = recommendations.picks_for(user=user, k=5)
    assert {p.movie.pk for p in after} != before
    assert {p.movie.pk for p in after} <= {m.pk for m in catalog["scifi"][6:]}


def test_picks_respect_genre_and_decade(catalog):
    activate_cf_version(catalog)
    user = User.objects.create(username="ada")
    rate(user, catalog["scifi"][:5], 5.0)
    romances = recommendations.picks_for(user=user, k=50, genre="Romance")
    assert {p.movie.pk for p in romances} == {m.pk for m in catalog["romance"]}
    nineties = recommendations.picks_for(user=user, k=50, decade=1980)
    assert {p.movie.pk for p in nineties} == {m.pk for m in catalog["scifi"][5:]}


def test_rank_user_scale_weighs_the_users_taste_against_the_movies_bias(catalog):
    version = activate_cf_version(catalog)
    user = User.objects.create(username="ada")
    rate(user, catalog["romance"][:5], 5.0)
    version.parameters["rank_user_scale"] = 0.0  # no taste at all: the movies of highest bias, the sci-fi
    version.save()
    assert {p.movie.pk for p in recommendations.picks_for(user=user, k=5)} <= {m.pk for m in catalog["scifi"]}


def test_a_user_without_ratings_gets_the_most_chosen_movies(catalog):
    activate_cf_version(catalog)
    picks = recommendations.picks_for(user=User.objects.create(username="new"), k=5)
    assert {p.movie.pk for p in picks} <= {m.pk for m in catalog["scifi"]}  # the higher bias
    assert all(p.because is None for p in picks)


def test_without_a_model_picks_are_the_most_rated_movies_the_user_has_not_rated(catalog):
    raters = [User.objects.create(username=f"u{n}") for n in range(3)]
    for n, rater in enumerate(raters):  # romance 0 rated 3 times, romance 1 twice, romance 2 once
        rate(rater, catalog["romance"][: 3 - n], 4.0)
    user = raters[2]
    picks = recommendations.picks_for(user=user, k=5)
    assert [p.movie for p in picks] == catalog["romance"][1:3]  # he rated romance 0
    assert [p.movie for p in recommendations.picks_for(user=AnonymousUser(), k=5)] == catalog["romance"][:3]


def test_similar_movies_are_the_same_genre_and_never_the_movie_itself(catalog):
    activate_cf_version(catalog)
    movie = catalog["scifi"][0]
    neighbours = recommendations.similar_to(movie=movie, k=5, kind=ModelKind.RATINGS)
    assert len(neighbours) == 5 and movie not in [n.movie for n in neighbours]
    assert all(n.movie in catalog["scifi"] and n.similarity > 0.9 for n in neighbours)
    assert recommendations.similar_to(movie=movie, kind=ModelKind.LINKS) == []  # no link model yet


def test_the_predicted_rating_follows_the_users_ratings(catalog):
    activate_cf_version(catalog)
    user = User.objects.create(username="ada")
    movie = catalog["scifi"][10]
    rate(user, catalog["scifi"][:5], 5.0)
    rate(user, catalog["romance"][:5], 1.0)
    fan = recommendations.predicted_rating(user=user, movie=movie)
    for liked in catalog["scifi"][:5]:
        set_rating(user=user, movie=liked, value=0.5)
    assert recommendations.predicted_rating(user=user, movie=movie) < fan - 1.0
    assert 0.5 <= fan <= 5.0


def test_no_prediction_without_a_model(catalog):
    assert recommendations.predicted_rating(user=User.objects.create(username="ada"), movie=catalog["scifi"][0]) is None
