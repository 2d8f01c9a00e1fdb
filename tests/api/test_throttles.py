"""Writes are throttled per user at the configured rate; reads are not."""
import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_writes_a_minute(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"writes": "2/minute", "login": "2/minute"}}


def test_a_third_write_in_a_minute_is_refused_with_429_and_retry_after(two_writes_a_minute, as_ada, catalog):
    movie = catalog["scifi"][0]

    codes = [as_ada.put(f"/api/me/ratings/{movie.pk}/", {"value": 4}).status_code for _ in range(2)]
    refused = as_ada.put(f"/api/me/ratings/{movie.pk}/", {"value": 4})

    assert codes == [201, 200] and refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled" and int(refused.headers["Retry-After"]) > 0


def test_reads_are_not_throttled(two_writes_a_minute, as_ada, catalog):
    assert {as_ada.get("/api/me/ratings/").status_code for _ in range(5)} == {200}


def test_each_user_has_their_own_allowance(two_writes_a_minute, as_ada, as_bob, catalog):
    movie = catalog["scifi"][0]
    for _ in range(2):
        as_ada.put(f"/api/me/ratings/{movie.pk}/", {"value": 4})

    assert as_bob.put(f"/api/me/ratings/{movie.pk}/", {"value": 4}).status_code == 201
