"""Website fixtures: a small catalog with ratings, active models, and people (a viewer, a stranger, staff)."""
import pytest
from django.contrib.auth import get_user_model

from tests.factories import activate_models, add_imported_viewers, make_catalog


@pytest.fixture
def catalog(db):
    """20 sci-fi movies of the 1980s and 20 romances of the 1990s, rated by 5 imported viewers (sci-fi more)."""
    movies = make_catalog(per_genre=20, external_ids=True)
    add_imported_viewers(movies)
    return movies


@pytest.fixture
def models(catalog):
    activate_models(catalog)
    return catalog


@pytest.fixture
def viewer(db):
    return get_user_model().objects.create_user("viewer", password="a-long-password-1")


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("staff", password="a-long-password-2", is_staff=True,
                                                is_superuser=True)


@pytest.fixture
def as_viewer(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def as_staff(client, staff):
    client.force_login(staff)
    return client
