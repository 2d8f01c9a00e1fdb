"""The admin pages of the catalog render for staff and refuse everyone else (the site's pages: tests/web/)."""
import pytest
from django.contrib.auth import get_user_model

from movies.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(get_user_model().objects.create_user("staff", is_staff=True, is_superuser=True))
    return client


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
