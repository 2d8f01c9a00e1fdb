"""Sign-in attempts on any login form are limited per address: the one past LOGIN_RATE gets a 429."""
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from recsite import login_throttle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def three_a_minute(settings, monkeypatch):
    settings.LOGIN_RATE = "3/minute"
    # The counts are per minute of the clock: a test must not straddle two (20 s into one here).
    monkeypatch.setattr(login_throttle, "time", SimpleNamespace(time=lambda: 60 * 28_000_000 + 20.0))
    cache.clear()
    yield
    cache.clear()


def attempt(client, address="203.0.113.7", path="/admin/login/"):
    return client.post(path, {"username": "ada", "password": "guess"}, REMOTE_ADDR=address)


def test_the_fourth_sign_in_attempt_in_a_minute_is_refused_with_429(client):
    codes = [attempt(client).status_code for _ in range(3)]
    refused = attempt(client)

    assert codes == [200, 200, 200]  # the login form again, with its error
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


def test_each_address_has_its_own_allowance_and_pages_are_not_counted(client):
    for _ in range(3):
        attempt(client)
    assert client.get("/admin/login/", REMOTE_ADDR="203.0.113.7").status_code == 200
    assert attempt(client, address="198.51.100.1").status_code == 200
    assert attempt(client).status_code == 429
