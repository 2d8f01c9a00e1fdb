"""With CACHE_URL naming Redis, the write allowance is shared by every web process: a user cannot
get more writes by landing on another one."""
import pytest
import redis
import requests
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared_cache(redis_url):
    """The test's Redis database, emptied of this test's throttle counts after."""
    yield redis_url
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter("*throttle_writes_*"):
        client.delete(key)


def test_the_write_allowance_is_shared_by_every_web_process(live_site, shared_cache):
    user = get_user_model().objects.create_user("ada", password="analytical-engine")
    headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    env = {"CACHE_URL": shared_cache, "API_WRITE_RATE": "2/minute"}
    first, second = live_site(**env), live_site(**env)

    codes = [requests.post(base + "/api/me/ratings/", json={}, headers=headers, timeout=30).status_code
             for base in (first, second, second)]

    assert codes == [400, 400, 429]  # the third write is one too many, wherever it lands
