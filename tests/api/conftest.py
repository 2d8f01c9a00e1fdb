"""API test fixtures: a catalog, an owner, a stranger and a staff member, and clients signed in as each."""
import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories
from tests.factories import make_catalog


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def ada(db):
    return get_user_model().objects.create_user("ada", password="analytical-engine")


@pytest.fixture
def bob(db):
    return get_user_model().objects.create_user("bob", password="difference-engine")


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("grace", password="compiler-1952", is_staff=True)


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def as_ada(ada):
    return client_for(ada)


@pytest.fixture
def as_bob(bob):
    return client_for(bob)


@pytest.fixture
def as_staff(staff):
    return client_for(staff)


@pytest.fixture
def catalog(db):
    """12 sci-fi movies of the 1980s and 12 romances of the 1990s, their names in order of release."""
    return make_catalog(per_genre=12, title="{Genre} {n:02d}")


def activate_ratings_model(catalog):
    """A collaborative-filtering version whose vectors separate sci-fi from romance (neither more popular)."""
    return factories.activate_ratings_model(catalog, scifi_bias=0.0)
