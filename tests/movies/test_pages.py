"""The home page and the admin pages render, escape titles, and take a bounded number of queries."""
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from movies.models import ImportJob, Movie, Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(get_user_model().objects.create_user("staff", is_staff=True, is_superuser=True))
    return client


def test_home_lists_the_most_rated_movies_with_titles_escaped(client, django_assert_max_num_queries):
    viewer = get_user_model().objects.create_user("viewer")
    for n in range(30):
        movie = Movie.objects.create(title=f"<script>alert({n})</script>", year=2000)
        Rating.objects.create(user=viewer, movie=movie, value=4, rated_at=datetime(2020, 1, 1, tzinfo=UTC))

    with django_assert_max_num_queries(5):
        page = client.get(reverse("home"))

    assert page.status_code == 200
    assert "&lt;script&gt;alert(0)&lt;/script&gt;" in page.content.decode()
    assert "<script>alert" not in page.content.decode()


@pytest.mark.parametrize("model", ["movies/movie", "movies/rating", "movies/importjob", "movies/tag",
                                   "movies/wikilink", "movies/movielensaccount", "ml/trainingrun", "ml/modelversion"])
def test_admin_lists_render_for_staff(staff_client, model):
    ImportJob.objects.create(kind=ImportJob.Kind.MOVIELENS, source="/data/ml-latest-small", status="failed",
                             error="ratings.csv, line 3: bad")
    assert staff_client.get(f"/admin/{model}/").status_code == 200


def test_admin_refuses_people_who_are_not_staff(client):
    client.force_login(get_user_model().objects.create_user("viewer"))
    response = client.get("/admin/movies/importjob/")
    assert response.status_code == 302 and "/admin/login/" in response.url
