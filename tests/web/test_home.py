"""The home page: your picks when signed in, else popular; top rated, recently added, genres; few queries."""
import pytest
from django.urls import reverse

from movies.models import Movie
from movies.ratings import set_rating

pytestmark = pytest.mark.django_db


def test_home_shows_popular_movies_to_visitors(client, catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        page = client.get(reverse("home"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Popular" in html and "Scifi 0" in html
    assert "Recently added" in html and "Genres" in html and "Romance" in html
    assert "Your picks" not in html


def test_home_shows_your_picks_when_signed_in(as_viewer, viewer, models, django_assert_max_num_queries):
    set_rating(user=viewer, movie=models["romance"][0], value=5)
    as_viewer.get(reverse("home"))  # loads the model's vectors once per process
    with django_assert_max_num_queries(12):
        page = as_viewer.get(reverse("home"))
    picks = [pick.movie for pick in page.context["picks"]]
    assert picks and models["romance"][0] not in picks
    assert "Because you rated" in page.content.decode()


def test_home_escapes_titles(client, db):
    movie = Movie.objects.create(title="<script>alert(1)</script>", year=2000)
    html = client.get(reverse("home")).content.decode()
    assert movie.title not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_home_explains_an_empty_catalog(client, db):
    assert "The catalog is empty" in client.get(reverse("home")).content.decode()
