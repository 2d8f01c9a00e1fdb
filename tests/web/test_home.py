"""The home page: your picks when signed in, else popular; top rated, recently added, genres; few queries."""
import pytest
from django.urls import reverse

from movies.models import Movie
from movies.ratings import set_rating
from web import selectors

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
    movie = Movie.objects.create(title="<script>alert(1)</script>", year=2000, num_ratings=10, mean_rating=3.0)
    html = client.get(reverse("home")).content.decode()
    assert movie.title not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_home_explains_an_empty_catalog_with_instructions_for_staff_only(client, staff, db):
    html = client.get(reverse("home")).content.decode()
    assert "The catalog is empty" in html and "manage.py" not in html
    client.force_login(staff)
    assert "manage.py import_movielens" in client.get(reverse("home")).content.decode()


def test_home_of_a_user_who_rated_nothing_says_popular_not_your_picks(as_viewer, viewer, models):
    html = as_viewer.get(reverse("home")).content.decode()
    assert "Your picks" not in html.split("<main")[1] and "Popular" in html and "Rate a dozen movies" in html


def test_recently_added_leaves_out_movies_with_few_ratings(client, catalog):
    Movie.objects.create(title="An Obscurity", year=2030, num_ratings=1)
    page = client.get(reverse("home"))
    recent = page.context["recent"]
    assert recent and "An Obscurity" not in [m.title for m in recent]
    assert all(m.num_ratings >= selectors.RECENT_MIN_RATINGS for m in recent)
